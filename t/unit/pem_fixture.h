/*
 * pem_fixture.h: PEM test material for the certificate and credential
 * unit tests, generated once with the openssl command line (3.0) and
 * embedded here so that the tests need no files and no openssl binary.
 * The private keys are throwaway test keys that protect nothing.
 *
 *   RSA_CERT/RSA_KEY     2048-bit RSA, CN rsa.test, SAN rsa.test and
 *                        *.rsa.test, CA:FALSE, valid for 100 years
 *   RSA2_CERT/RSA2_KEY   another RSA pair (CN other.test)
 *   EC_CERT/EC_KEY       P-256 pair (CN ec.test), CA:FALSE
 *   EC_KEY_ENCRYPTED     EC_KEY under a passphrase ("secret")
 *   CA_CERT              self-signed P-256 CA (CA:TRUE), 100 years;
 *                        CA_CERT_SHA256 is the SHA-256 of its DER
 *   EXPIRED_CA_CERT      CA:TRUE, valid 2020-01-01 to 2021-01-01 only
 *                        (made with `openssl ca -startdate -enddate`)
 *   RSA_PUBLIC_KEY       the public half of RSA_KEY
 *   ED25519_PUBLIC_KEY   an Ed25519 public key
 */
#ifndef GW_PEM_FIXTURE_H
#define GW_PEM_FIXTURE_H

#define RSA_CERT                                                         \
    "-----BEGIN CERTIFICATE-----\n"                                      \
    "MIIDJzCCAg+gAwIBAgIUFbj8v74FZtndjn35RvKfcYzpPqEwDQYJKoZIhvcNAQEL\n" \
    "BQAwEzERMA8GA1UEAwwIcnNhLnRlc3QwIBcNMjYxMTI3MjE0MTA2WhgPMjEyNjEx\n" \
    "MDMyMTQxMDZaMBMxETAPBgNVBAMMCHJzYS50ZXN0MIIBIjANBgkqhkiG9w0BAQEF\n" \
    "AAOCAQ8AMIIBCgKCAQEAqjCye8XhFu9HDpnOsj1AK3gs7rF/L/HwuWtWmlcKkjuF\n" \
    "LLSGZZ6c/uz9gRTIdU2xC4IgPZkECp3fEeajNjcCzN8PyDw95kTZWsfPV2mAAZTR\n" \
    "vVp2G8TIa94TvYiqGEuerLCVuL6q0P/aSp6z+Ehts2bXFR5Yuy/9XncVfIXEK45a\n" \
    "DizMTfOCgHLf60rHp4nKC1itr2Oe5+jLbbpex6E9Z9t+AYZ7rEb5el8dIJUWRrKr\n" \
    "Uya6EeRoQqqPPENhv77XV4hEr7iKN8zvYJzKZA2HA9S3021iFaAEbRZVN33stw8U\n" \
    "LMaO4KAdNaAuxSbSXXONVKIDsKDWS06+8Hl610kN2QIDAQABo3EwbzAdBgNVHQ4E\n" \
    "FgQUr/S1yZraB4dwZ4QOlrN7WBS2TN8wHwYDVR0jBBgwFoAUr/S1yZraB4dwZ4QO\n" \
    "lrN7WBS2TN8wHwYDVR0RBBgwFoIIcnNhLnRlc3SCCioucnNhLnRlc3QwDAYDVR0T\n" \
    "AQH/BAIwADANBgkqhkiG9w0BAQsFAAOCAQEAFEjLaCW46Q+EyAATSBJ3Lt6dkw2v\n" \
    "9D+CNTLhtWvyBPvyoREYawnLuonpUYWvvHI9fCPmvjnRwufQ8Hf5NnMVnqZoOFup\n" \
    "ZcnNKJriQ/s0374ZxPIiKuxnrXe19ujkmVtpsJq+do112hpb3SPDUo/rI/Cyr3Gz\n" \
    "J222pwb/H82G79k7ThXECjhynS3os/FKTSY/kbCpDN0a6d1ILXpJ06OA4qTW0VZB\n" \
    "QUW9JHq8+pwfNabX0kUOLG7z4AHXtRdyh6WpLu3wDGWyq87qocMO++CWLWbZaitd\n" \
    "QBDDH4UJR4hrncx16S2W9JvQzVKAcynf7EXBKr19FAXStZnzE4Ya2kA6Og==\n"     \
    "-----END CERTIFICATE-----\n"

#define RSA_KEY                                                          \
    "-----BEGIN PRIVATE KEY-----\n"                                      \
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCqMLJ7xeEW70cO\n" \
    "mc6yPUAreCzusX8v8fC5a1aaVwqSO4UstIZlnpz+7P2BFMh1TbELgiA9mQQKnd8R\n" \
    "5qM2NwLM3w/IPD3mRNlax89XaYABlNG9WnYbxMhr3hO9iKoYS56ssJW4vqrQ/9pK\n" \
    "nrP4SG2zZtcVHli7L/1edxV8hcQrjloOLMxN84KAct/rSsenicoLWK2vY57n6Mtt\n" \
    "ul7HoT1n234BhnusRvl6Xx0glRZGsqtTJroR5GhCqo88Q2G/vtdXiESvuIo3zO9g\n" \
    "nMpkDYcD1LfTbWIVoARtFlU3fey3DxQsxo7goB01oC7FJtJdc41UogOwoNZLTr7w\n" \
    "eXrXSQ3ZAgMBAAECggEAP2D/NuTMHFRja+aPeQUiXo3UfdeP+/TnpsV4bOW5RBfy\n" \
    "UmGwIyvcX3s2NNnehQC3zAdbplTTkniUWABCC7CU1GLFZ9Y3XweIwivi5TSevPgE\n" \
    "27VSgqjX0oPTaiP45C9VGg5w02n+BvMhAeT0NKQUZlkIBA9XD+6hNoq2b7cJBQbU\n" \
    "b4aDC0mMt43ssAFIs8n1GfnhLT2IsoQlnHmkofkVcNGh0okf8JS3fgmY5+IWTtwA\n" \
    "DZULNlElur4pXUEK+P/TB1RjdsQt11gm9hD3LbSZfWggRg394G85CkT79q6uQ3mf\n" \
    "d2sX5CbE7eoIgxGan+Cp/eet/J/ALVX1fK+x/cGTeQKBgQDeZEJG/9SEvaxzTsfI\n" \
    "Bkp5riqAFi8sL11tpw+EAKa4pEs+WpkocrpsrLeeoLcOjdmn02SbQRnVdWLCI+0P\n" \
    "noCefgUKZbINOsQMLxZiGs/Qj0ja9vzQP6lgKy6otxNE1oW1em9NfsuPCmBVHTgW\n" \
    "oWnZZbB9z5t2oKdeWFLF98TSrwKBgQDD6OeJKtQ+uDH6bSnlSmkdWFhVLExdPQkR\n" \
    "XbL2LdwggknL2WmIk3oL10WeqjZeT6iV+ZbwOqpvGQOJQcPuSwC2hPm/YqMF5hWY\n" \
    "4rBUidCnegE4Mwk1pusRKXGgK3fXXuQXgX9EvyKwUI9apBJAyQfxKdq4dHB11FYp\n" \
    "PxXVL4hp9wKBgQCTQWnNX2rV9k3xEBIjNV8tEREdPRNBO5+ukrcoXdIHYupbwFu3\n" \
    "t7gPa5IuHBb6MR0VDlmIn+O+PvsEuAspk3dw+trVlp7+OZJEyw0UKtK+M5I3QuIF\n" \
    "9pFtl0pO9uJwa2ef0hFPDA03itRcp3tTKNBQ3g+uTsCPHTOVugAdC8GtCwKBgGIX\n" \
    "RYbqiOb2dx+6dNW3kjX9PA05ZurwWo/1aFvWzncAhU6qBys5HEy9dsBg3WQPYovl\n" \
    "MmwKE7gYwCqDYUT5DNxWbG4lRxb3Ay1Po5ZQgsa4Uc//zcatUtl+9MOLwC939aDH\n" \
    "WB/ly8qYK47ow7LodS+NE1R0CLMWpCV2zsm1SQo1AoGAKqtC6VyCP/YyXaHbi+TP\n" \
    "pPXanzVmQvUTQdy7vvmJdEMubpl8LE2V51NoZFP/Rf4K5OJIViYaczdd3+Nljk+W\n" \
    "VoQPUHkrRybwUdBXezO/tJelH2vHKGhk6GnqO7jtLufdcPyd9Nj23EPGlxTs5N+n\n" \
    "8PBe2LMRrICR8KltmyDNaBA=\n"                                         \
    "-----END PRIVATE KEY-----\n"

#define RSA2_CERT                                                        \
    "-----BEGIN CERTIFICATE-----\n"                                      \
    "MIIDCjCCAfKgAwIBAgIUMfSSJcQlwprghDl3CueUoEG1E6YwDQYJKoZIhvcNAQEL\n" \
    "BQAwFTETMBEGA1UEAwwKb3RoZXIudGVzdDAgFw0yNjExMjcyMTQxMDZaGA8yMTI2\n" \
    "MTEwMzIxNDEwNlowFTETMBEGA1UEAwwKb3RoZXIudGVzdDCCASIwDQYJKoZIhvcN\n" \
    "AQEBBQADggEPADCCAQoCggEBANYtOWpWnrTYe+gfytPkwhBxt/7pyFNm/qYAFxVM\n" \
    "4mETbXquKrCl59uveOYxUiz5992oBlDqgJaHs3pDTzm5Q1v/s/FmVjoBQxjBTWfT\n" \
    "5L1BTOYwqghFEE4aWci0cgXx7Ksj6ROAqHxPDuiByeP1k6uZINGnVyPijBB0p2M7\n" \
    "hdcnYz0Feb+hJqPW3l0VGcDNHmV5+F0tIYm36zjrBW/ziVxTnQ8LC9wacg6/gsJX\n" \
    "VlOjm+8DztaYFhyYUh1lngnCwv/FjFwlXiiAzU+jrY5lcFn0ip/yOewYtVT53hxh\n" \
    "PrnvPMxwBhY97D0dZnAk8CKE+fEIbUFxIMqpJk5Tw4+mLMECAwEAAaNQME4wHQYD\n" \
    "VR0OBBYEFI9t6GMJriTp3EyIKN2BvDYarwmLMB8GA1UdIwQYMBaAFI9t6GMJriTp\n" \
    "3EyIKN2BvDYarwmLMAwGA1UdEwEB/wQCMAAwDQYJKoZIhvcNAQELBQADggEBAJWZ\n" \
    "Yp0MFoEo7BjvCTWUm4d5ncAY6OIp9qw6ugfluT03Wzb2tupCCqEywf/y68ZA3aF9\n" \
    "C/c6nzFBCp+2JY39vlRMW324efKBqb83E4UvJ+v4+y8Vua6yGA4nZgJ6ROP9qg8u\n" \
    "hNwtLU2FwD41T7zkcL4cvqKXs3Jeo0/M/M1cJt8c6VPc1LdT4WDUboXeevLSFVoH\n" \
    "4CBcu9WHWM4r/C9fTxVxovhqieHSVDeUS3C62NyVtkMhGtcaikktTlGrldIfEu/B\n" \
    "yY2fNUuNq5rMfAllHpZrmNz6MKqEZ9mrH1PImFp56aKTdyapJSsdDV4meXPfSLzx\n" \
    "SMwN4S2seRQ+0WUkYH8=\n"                                             \
    "-----END CERTIFICATE-----\n"

#define RSA2_KEY                                                         \
    "-----BEGIN PRIVATE KEY-----\n"                                      \
    "MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDWLTlqVp602Hvo\n" \
    "H8rT5MIQcbf+6chTZv6mABcVTOJhE216riqwpefbr3jmMVIs+ffdqAZQ6oCWh7N6\n" \
    "Q085uUNb/7PxZlY6AUMYwU1n0+S9QUzmMKoIRRBOGlnItHIF8eyrI+kTgKh8Tw7o\n" \
    "gcnj9ZOrmSDRp1cj4owQdKdjO4XXJ2M9BXm/oSaj1t5dFRnAzR5lefhdLSGJt+s4\n" \
    "6wVv84lcU50PCwvcGnIOv4LCV1ZTo5vvA87WmBYcmFIdZZ4JwsL/xYxcJV4ogM1P\n" \
    "o62OZXBZ9Iqf8jnsGLVU+d4cYT657zzMcAYWPew9HWZwJPAihPnxCG1BcSDKqSZO\n" \
    "U8OPpizBAgMBAAECggEALMgh9CkOYBPPvJZBK5LuPM/6P9OT7lRftEfai7qart+I\n" \
    "CZm3FV5rH1UOO1teqkbN28vRHkQaBN902ICQZSpmeir57eSO7OvsopVwYOA+OJAZ\n" \
    "yxurwbTnFt2NnliUasfNy27jwg8pq2xAWr8gfoiPitamtQ9/OeKZlKs/gJEmh/iz\n" \
    "T3TbeqL09ahv/JtjA4ujU3bc+ExtKI6DHZ3P9f3mBPCyCsQqrgDVAoGciqOAEETo\n" \
    "c4hOaiALrjIpEvt1HBAqM3PlNwlPKiMpINCP1boFi5mvGDBiDdL7sHZgzZGnt+Db\n" \
    "lP6tX+j1VXR3gmVP+dHC2Ai5DM8jVs3Bjn/0pw3RUQKBgQD1v45iFT/fUnwSlWd0\n" \
    "VxbILRzX0JMJrF9N8UKkLiR47gRzr5cNsBuZ3zZJK1aNft5zaZpLT0l9teF+LRW7\n" \
    "jPjoHA1AadtINUkjSgBHqxKeI3jWu5ESjVa4ez/8fZno5MQw9JQt0Bls91f/FdX0\n" \
    "3zAg3DkBMoYXfUAu/ySxzxMqxQKBgQDfHICViTFKvmm6x0w1LClTwJItECwQ7xTh\n" \
    "IXRNYg6CGG7nGVqrnNzhWizvTi4AJyiSFcqfv8FrNHGbGvQF/gaV3dVQ6snBSxxA\n" \
    "rKlYbnhUYK6BP1oku2uEgtp1NZcXx5gfQbAMFkXgne91KU8RZhW/D5/uR+US8YLj\n" \
    "1n0CClwJzQKBgHg2s3UBhhQ9qloA4fHEZG2Zu+FKs5Lo0lozafEcbVUGwgDBZXgZ\n" \
    "rPbRfSG/5IAlDraQcxzh9UZcgakSbu4nIN+SUV0wK0egYV205nwokFvxaDxK1sWn\n" \
    "hEOMbxmZa3/E4MA99HqQsM9gE5jB2r8Fqup4MB6I05WL/KjAwPeGH48tAoGBAKie\n" \
    "J+fbya8NfWa13LiK6ajsbw0znbomlocW+4jIROK5iIeLt+TfJmgB+NfbJBTlg1n0\n" \
    "sjBNgeZ9uiZZFne45k05XFBNQbGeDHosg8fbpYFPmFMCCCSeqMF7C5NtrwU/yY5F\n" \
    "3MElzCXX9vN7BtDFcEX3jw1MtKm+cQe0QMHcBnc5AoGBAJS11fnlOFm39Ycx3ON0\n" \
    "bRncaWwaTTdWNMTwyIb0xO5nvXAQwg/1l4jbAKh4v9xTnULjtgoS2OEgiI5NXuVV\n" \
    "hst3pjb5tt8oUQNih6TUCj6LKkyne1a/K4mor2gw6+Rr6Zfo00XvyORRrtQnIchX\n" \
    "ykUsLkz78F9sIDQbxKEE+d0X\n"                                         \
    "-----END PRIVATE KEY-----\n"

#define EC_CERT                                                          \
    "-----BEGIN CERTIFICATE-----\n"                                      \
    "MIIBdzCCAR6gAwIBAgIUTjiUytP41c2UBBTvKlXYxxplagwwCgYIKoZIzj0EAwIw\n" \
    "EjEQMA4GA1UEAwwHZWMudGVzdDAgFw0yNjExMjcyMTQxMDZaGA8yMTI2MTEwMzIx\n" \
    "NDEwNlowEjEQMA4GA1UEAwwHZWMudGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEH\n" \
    "A0IABPxMxIka3ufmvia8Pa7Om9tp8MzKt6XdfVpT6XyfZBYrZHQc1g2yp1xbVHXX\n" \
    "jLrHQCRL1zh46o4OyGxaqd6sAnSjUDBOMB0GA1UdDgQWBBRnsiix3LlD/vyJ6SeT\n" \
    "7GPNQl5B0zAfBgNVHSMEGDAWgBRnsiix3LlD/vyJ6SeT7GPNQl5B0zAMBgNVHRMB\n" \
    "Af8EAjAAMAoGCCqGSM49BAMCA0cAMEQCIF7+VJ0Q571jDiQUYXT3G+aq9dYPYpzj\n" \
    "LWyqyrhHp/U1AiB9Q6/H63q+ekreWrbxDsFJQU9EUDETbJQagBXo7YoJUw==\n"     \
    "-----END CERTIFICATE-----\n"

#define EC_KEY                                                           \
    "-----BEGIN PRIVATE KEY-----\n"                                      \
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRB0CQJdIYQMTya1M\n" \
    "rRYoGxlrqr4gMk97gzzxutaiuKKhRANCAAT8TMSJGt7n5r4mvD2uzpvbafDMyrel\n" \
    "3X1aU+l8n2QWK2R0HNYNsqdcW1R114y6x0AkS9c4eOqODshsWqnerAJ0\n"         \
    "-----END PRIVATE KEY-----\n"

#define EC_KEY_ENCRYPTED                                                 \
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"                            \
    "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjEgDUuaFO2kwICCAAw\n" \
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEPFxSLc1hom+wcsibrdNfo0EgZAo\n" \
    "TB2QNG12nsvQOJUrYEvOkqfvjdtyyi0YN/FKXfNCM4ZVo6xJBebxJWivTXek3x5q\n" \
    "Gl3Q9X63n8Q4xx+gz0Bmcagg5AW4sohA438tFWqxVYTBTys+IgHf2HaQubzuK3jf\n" \
    "HMYWEfTsss2yMKCcTjl828KP4ywnjppHNkQQisEFjwISd3mGVXDO7T/FHk1lBFY=\n" \
    "-----END ENCRYPTED PRIVATE KEY-----\n"

#define CA_CERT                                                          \
    "-----BEGIN CERTIFICATE-----\n"                                      \
    "MIIBlDCCATugAwIBAgIUNoS8NLj0R9HLDul5z8zgtbzuNQMwCgYIKoZIzj0EAwIw\n" \
    "FzEVMBMGA1UEAwwMVGVzdCBSb290IENBMCAXDTI2MTEyNzIxNDEwNloYDzIxMjYx\n" \
    "MTAzMjE0MTA2WjAXMRUwEwYDVQQDDAxUZXN0IFJvb3QgQ0EwWTATBgcqhkjOPQIB\n" \
    "BggqhkjOPQMBBwNCAATjCaAX7t0ldOFaSsvo0D/IBag3vR8Gar3mm9LGty9dah+A\n" \
    "ZA4IxC6TC67u6b3nvqWqohDAAEfBBCX7InfTOw9Do2MwYTAdBgNVHQ4EFgQUKjpr\n" \
    "Z/8EseKajq+2Pzq8jUJ8wlcwHwYDVR0jBBgwFoAUKjprZ/8EseKajq+2Pzq8jUJ8\n" \
    "wlcwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAQYwCgYIKoZIzj0EAwID\n" \
    "RwAwRAIgEq/Jm895s7f+sP6t1CnqoLnB0scFXwtYfKXZOiis98YCIDYme2WdsVSR\n" \
    "p76pvbKpev6B1NSMLRaZqG6Pb1CLUCWs\n"                                 \
    "-----END CERTIFICATE-----\n"

#define CA_CERT_SHA256 \
    "89170db8aaa2eab5805118aa8222844923b44b632eb106a128c2977dc9415de0"

#define EXPIRED_CA_CERT                                                  \
    "-----BEGIN CERTIFICATE-----\n"                                      \
    "MIIBZDCCAQugAwIBAgIBATAKBggqhkjOPQQDAjAaMRgwFgYDVQQDDA9FeHBpcmVk\n" \
    "IFRlc3QgQ0EwHhcNMjAwMTAxMDAwMDAwWhcNMjEwMTAxMDAwMDAwWjAaMRgwFgYD\n" \
    "VQQDDA9FeHBpcmVkIFRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAATj\n" \
    "CaAX7t0ldOFaSsvo0D/IBag3vR8Gar3mm9LGty9dah+AZA4IxC6TC67u6b3nvqWq\n" \
    "ohDAAEfBBCX7InfTOw9Do0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQE\n" \
    "AwIBBjAdBgNVHQ4EFgQUKjprZ/8EseKajq+2Pzq8jUJ8wlcwCgYIKoZIzj0EAwID\n" \
    "RwAwRAIgLtcGRokuV989F+mMqqAudrNWCjFFgfbM1HZGuEnp1jUCIAXF3QR7gct3\n" \
    "SWDrChqpcQQCc2sXvOTpMtEgimVPQRH9\n"                                 \
    "-----END CERTIFICATE-----\n"

#define RSA_PUBLIC_KEY                                                   \
    "-----BEGIN PUBLIC KEY-----\n"                                       \
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqjCye8XhFu9HDpnOsj1A\n" \
    "K3gs7rF/L/HwuWtWmlcKkjuFLLSGZZ6c/uz9gRTIdU2xC4IgPZkECp3fEeajNjcC\n" \
    "zN8PyDw95kTZWsfPV2mAAZTRvVp2G8TIa94TvYiqGEuerLCVuL6q0P/aSp6z+Eht\n" \
    "s2bXFR5Yuy/9XncVfIXEK45aDizMTfOCgHLf60rHp4nKC1itr2Oe5+jLbbpex6E9\n" \
    "Z9t+AYZ7rEb5el8dIJUWRrKrUya6EeRoQqqPPENhv77XV4hEr7iKN8zvYJzKZA2H\n" \
    "A9S3021iFaAEbRZVN33stw8ULMaO4KAdNaAuxSbSXXONVKIDsKDWS06+8Hl610kN\n" \
    "2QIDAQAB\n"                                                         \
    "-----END PUBLIC KEY-----\n"

#define ED25519_PUBLIC_KEY                                           \
    "-----BEGIN PUBLIC KEY-----\n"                                   \
    "MCowBQYDK2VwAyEA/GM4/aR5CGGD1Az18mjNJKogXSn6ymOgGanEFaB7cWQ=\n" \
    "-----END PUBLIC KEY-----\n"

#endif
