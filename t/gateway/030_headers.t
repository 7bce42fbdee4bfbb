# Headers: what the upstream receives (Host and preserve_host, X-Real-IP,
# X-Forwarded-*, Via, X-Kong-Request-Id, hop-by-hop removal) and what the
# client receives (Via, latency headers, request id, the upstream's own
# status, headers and body) (kong-behaviour.md §3.6-§3.8).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;
use GwProxy;
use GwTest ();
use GwUpstream;

plan tests => 14, need_lwp;

reset_db();
my $up = GwUpstream->start;

# the gateway's name in Via: "<product>/<version>" from core/gw_version.h
my ($PRODUCT, $VERSION);
{
    open my $fh, '<', GwTest::root_dir() . '/core/gw_version.h' or die $!;
    local $/;
    my $h = <$fh>;
    ($PRODUCT) = $h =~ /#define\s+GW_PRODUCT\s+"([^"]+)"/;
    ($VERSION) = $h =~ /#define\s+GW_VERSION\s+"([^"]+)"/;
}
my $ME = "$PRODUCT/$VERSION";
my ($PROXY_PORT) = GwTest::proxy_hostport() =~ /:(\d+)$/;

my $svc = make_service(host => $up->host, port => $up->port);
make_route(hosts => ['hdr.test'], paths => ['/hdr'], service => { id => $svc->{id} });
make_route(hosts => ['hdr.test'], paths => ['/keep'], strip_path => jfalse(),
           service => { id => $svc->{id} });
make_route(hosts => ['hdr.test'], paths => ['/'], service => { id => $svc->{id} });
make_route(hosts => ['nopath.hdr.test'], service => { id => $svc->{id} });
make_route(paths => ['/hdr-anyhost'], service => { id => $svc->{id} });
make_route(hosts => ['ph.test'], preserve_host => jtrue(), service => { id => $svc->{id} });
make_route(paths => ['/ph-anyhost'], preserve_host => jtrue(), service => { id => $svc->{id} });
make_route(hosts => ['nosvc.hdr.test']);

# a service on port 80, when this machine lets the test listen there
my $up80 = eval { GwUpstream->start(port => 80) };
if ($up80) {
    my $s80 = make_service(host => '127.0.0.1', port => 80);
    make_route(hosts => ['port80.hdr.test'], service => { id => $s80->{id} });
}

sync_proxy();

# seen(HOST, TARGET, [headers => [...]]): (upstream echo or {}, response)
sub seen {
    my ($host, $target, %opt) = @_;
    my $res = proxy(GET => $target, host => $host, %opt);
    my $echo = GwUpstream->echo($res);
    diag "$host $target: " . $res->status_line . "\n" . substr($res->content, 0, 300)
        unless $echo;
    return ($echo // { headers => {} }, $res);
}

subtest 'Host: preserve_host=false sends the service host and port (§3.6)' => sub {
    my ($e) = seen('hdr.test', '/hdr/x');
    is($e->{headers}{host}, '127.0.0.1:' . $up->port, 'Host is host:port of the service');
    ($e) = seen('hdr.test:8080', '/hdr/x');
    is($e->{headers}{host}, '127.0.0.1:' . $up->port, 'whatever the client sent');
  SKIP: {
        skip 'cannot listen on 127.0.0.1:80 here', 1 unless $up80;
        ($e) = seen('port80.hdr.test', '/x');
        is($e->{headers}{host}, '127.0.0.1', 'no :80 for the default port');
    }
};

subtest 'Host: preserve_host=true sends the client Host as it came (§3.6)' => sub {
    my ($e) = seen('ph.test', '/x');
    is($e->{headers}{host}, 'ph.test', 'Host as sent');
    ($e) = seen('ph.test:8080', '/x');
    is($e->{headers}{host}, 'ph.test:8080', 'port included');
    ($e) = seen('Other.Example:81', '/ph-anyhost/x');
    is($e->{headers}{host}, 'Other.Example:81',
       'also when the route did not match on hosts');
};

subtest 'X-Real-IP and X-Forwarded-For (§3.7)' => sub {
    my ($e) = seen('hdr.test', '/hdr/x');
    is($e->{headers}{'x-real-ip'}, '127.0.0.1', 'X-Real-IP is the client address');
    is($e->{headers}{'x-forwarded-for'}, '127.0.0.1', 'XFF without a client XFF');
    ($e) = seen('hdr.test', '/hdr/x', headers => ['X-Forwarded-For' => '10.0.0.1',
                                                  'X-Real-IP' => '6.6.6.6']);
    is($e->{headers}{'x-forwarded-for'}, '10.0.0.1, 127.0.0.1', 'XFF appended to');
    is($e->{headers}{'x-real-ip'}, '127.0.0.1', 'a client X-Real-IP is replaced');
    ($e) = seen('hdr.test', '/hdr/x', headers => ['X-Forwarded-For' => '10.0.0.1',
                                                  'X-Forwarded-For' => '10.0.0.2']);
    is($e->{headers}{'x-forwarded-for'}, '10.0.0.1, 10.0.0.2, 127.0.0.1',
       'two client XFF headers, then the peer');
};

subtest 'X-Forwarded-Proto, -Host, -Port, -Path replace client values (§3.7)' => sub {
    my @evil = ('X-Forwarded-Proto' => 'https', 'X-Forwarded-Host' => 'evil.test',
                'X-Forwarded-Port' => '1234', 'X-Forwarded-Path' => '/evil');
    my ($e) = seen('hdr.test:8080', '/hdr/a/b?x=1&y=/z', headers => \@evil);
    my $h = $e->{headers};
    is($h->{'x-forwarded-proto'}, 'http', 'X-Forwarded-Proto: the request scheme');
    is($h->{'x-forwarded-host'}, 'hdr.test', 'X-Forwarded-Host: Host without port');
    is($h->{'x-forwarded-port'}, $PROXY_PORT, 'X-Forwarded-Port: the port the proxy listens on');
    is($h->{'x-forwarded-path'}, '/hdr/a/b', 'X-Forwarded-Path: the path without query');
    ($e) = seen('hdr.test', '/hdr/a%20b/c');
    is($e->{headers}{'x-forwarded-path'}, '/hdr/a%20b/c',
       'X-Forwarded-Path is the original (raw) request path');
    ($e) = seen('[::1]:8080', '/hdr-anyhost/x');
    is($e->{headers}{'x-forwarded-host'}, '[::1]', 'an IPv6 literal keeps its brackets');
};

subtest 'X-Forwarded-Prefix only when strip_path removed something other than "/"' => sub {
    my ($e) = seen('hdr.test', '/hdr/x');
    is($e->{headers}{'x-forwarded-prefix'}, '/hdr', 'stripped /hdr');
    ($e) = seen('hdr.test', '/keep/x', headers => ['X-Forwarded-Prefix' => '/evil']);
    ok(!exists $e->{headers}{'x-forwarded-prefix'},
       'strip_path=false: absent (a client value is dropped)');
    ($e) = seen('hdr.test', '/other', headers => ['X-Forwarded-Prefix' => '/evil']);
    ok(!exists $e->{headers}{'x-forwarded-prefix'}, 'route path "/": absent');
    ($e) = seen('nopath.hdr.test', '/x');
    ok(!exists $e->{headers}{'x-forwarded-prefix'}, 'no path matched: absent');
};

subtest 'Via and X-Kong-Request-Id upstream (§3.7)' => sub {
    my ($e, $res) = seen('hdr.test', '/hdr/x');
    is($e->{headers}{via}, "1.1 $ME", 'Via: 1.1 <product>/<version>');
    my $id = $res->header('X-Kong-Request-Id');
    like($id // '', qr/^[0-9a-f]{32}$/, 'the response carries a 32-hex-digit request id');
    is($e->{headers}{'x-kong-request-id'}, $id, 'the upstream got the same id');
    ($e) = seen('hdr.test', '/hdr/x', headers => ['Via' => '1.0 fred']);
    is($e->{headers}{via}, "1.0 fred, 1.1 $ME", 'a client Via is appended to');
    my ($r10) = proxy_raw("GET /hdr/v HTTP/1.0\r\nHost: hdr.test\r\n\r\n");
    my $e10 = GwUpstream->echo($r10) // { headers => {} };
    is($e10->{headers}{via}, "1.0 $ME", 'an HTTP/1.0 request: Via 1.0');
};

subtest 'the upstream connection is keep-alive; hop-by-hop headers go no further' => sub {
    my ($e) = seen('hdr.test', '/hdr/x', headers => [
        'Connection' => 'close, X-Hop', 'X-Hop' => 'secret', 'Keep-Alive' => '300',
        'X-End-To-End' => 'kept']);
    my $h = $e->{headers};
    like($h->{connection} // '', qr/^keep-alive$/i, 'Connection: keep-alive upstream');
    ok(!exists $h->{'x-hop'}, 'a header named in Connection is not forwarded');
    ok(!exists $h->{'keep-alive'}, 'Keep-Alive is not forwarded');
    is($h->{'x-end-to-end'}, 'kept', 'end-to-end headers are');
};

subtest 'other request headers and the body reach the upstream unchanged' => sub {
    my $res = proxy(POST => '/hdr/post', host => 'hdr.test',
                    headers => ['Content-Type' => 'application/x-thing',
                                'X-Multi' => 'a', 'X-Multi' => 'b',
                                'Authorization' => 'Bearer abc',
                                'Cookie' => 'k=v; k2=v2'],
                    body => "line1\nline2\x00\xff");
    my $e = GwUpstream->echo($res) // { headers => {} };
    my $h = $e->{headers};
    is($h->{'content-type'}, 'application/x-thing', 'Content-Type');
    is($h->{'x-multi'}, 'a, b', 'a repeated header keeps both values in order');
    is($h->{authorization}, 'Bearer abc', 'Authorization');
    is($h->{cookie}, 'k=v; k2=v2', 'Cookie');
    is($e->{body}, "line1\nline2\x00\xff", 'the body, byte for byte');
    is($h->{'content-length'}, 13, 'Content-Length');
};

subtest 'downstream: Via, latency headers, request id (§3.8)' => sub {
    my $res = proxy(GET => '/hdr/x', host => 'hdr.test');
    is($res->header('Via'), "1.1 $ME", 'Via added');
    like($res->header('X-Kong-Upstream-Latency') // '', qr/^\d+$/, 'X-Kong-Upstream-Latency');
    like($res->header('X-Kong-Proxy-Latency') // '', qr/^\d+$/, 'X-Kong-Proxy-Latency');
    is($res->header('Server'), 'gw-upstream', "the upstream's Server is left alone");

    $res = proxy(GET => '/hdr/x', host => 'hdr.test',
                 headers => ['X-Upstream-Respond' => 'Via: 1.1 cache.example']);
    is($res->header('Via'), "1.1 cache.example, 1.1 $ME", "appended to the upstream's Via");

    $res = proxy(GET => '/delay/300', host => 'hdr.test');
    cmp_ok($res->header('X-Kong-Upstream-Latency') // 0, '>=', 300,
           'X-Kong-Upstream-Latency counts the time the upstream took');
    cmp_ok($res->header('X-Kong-Proxy-Latency') // 999, '<', 300,
           'X-Kong-Proxy-Latency does not');
};

subtest 'every response carries its own request id' => sub {
    my %ids;
    for (1 .. 10) {
        my $id = proxy(GET => '/hdr/x', host => 'hdr.test')->header('X-Kong-Request-Id');
        $ids{ $id // '' }++;
    }
    is(scalar(grep { /^[0-9a-f]{32}$/ } keys %ids), 10, '10 requests, 10 distinct ids');
};

subtest 'responses the gateway makes itself (§3.8)' => sub {
    my $res = proxy(GET => '/x', host => 'nosvc.hdr.test');
    is($res->code, 503, 'route without service');
    like($res->header('X-Kong-Request-Id') // '', qr/^[0-9a-f]{32}$/, 'X-Kong-Request-Id');
    like($res->header('X-Kong-Response-Latency') // '', qr/^\d+$/, 'X-Kong-Response-Latency');
    ok(!defined $res->header('Via'), 'no Via');
    ok(!defined $res->header('X-Kong-Upstream-Latency'), 'no X-Kong-Upstream-Latency');
};

subtest "the upstream's status and body pass through untouched" => sub {
    for my $st (201, 400, 404, 418, 500, 502, 503, 504) {
        my $res = proxy(GET => "/status/$st", host => 'hdr.test');
        is($res->code, $st, "upstream $st -> $st");
        my $e = GwUpstream->echo($res);
        ok($e && $e->{path} eq "/status/$st", "upstream $st: the upstream's body");
    }
    my $res = proxy(GET => '/status/204', host => 'hdr.test');
    is($res->code, 204, '204');
    is($res->content, '', '204: no body');
};

subtest 'response headers of the upstream reach the client' => sub {
    my $res = proxy(GET => '/hdr/x', host => 'hdr.test', headers => [
        'X-Upstream-Respond-1' => 'X-Custom: one',
        'X-Upstream-Respond-2' => 'Set-Cookie: a=1; Path=/',
        'X-Upstream-Respond-3' => 'Set-Cookie: b=2; Path=/',
        'X-Upstream-Respond-4' => 'Cache-Control: no-store']);
    is($res->header('X-Custom'), 'one', 'a custom header');
    is_deeply([ $res->header('Set-Cookie') ], ['a=1; Path=/', 'b=2; Path=/'],
              'Set-Cookie headers stay separate');
    is($res->header('Cache-Control'), 'no-store', 'Cache-Control');
    is($res->header('Content-Type'), 'application/json', "the upstream's Content-Type");
};

subtest 'a request id sent by the client does not replace the gateway one' => sub {
    my ($e, $res) = seen('hdr.test', '/hdr/x',
                         headers => ['X-Kong-Request-Id' => 'client-chosen']);
    my $id = $res->header('X-Kong-Request-Id') // '';
    like($id, qr/^[0-9a-f]{32}$/, 'the response has a gateway id');
    is($e->{headers}{'x-kong-request-id'}, $id, 'and so does the upstream request');
};
