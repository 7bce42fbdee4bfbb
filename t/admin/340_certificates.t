# /certificates, /snis and /ca_certificates (kong-behaviour.md §2.7):
# PEM validation with OpenSSL, the transient `snis` list written as SNI
# rows in the same transaction, addressing a certificate by SNI, SNI
# wildcard rules, and CA certificates with their digest.
use strict;
use warnings;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 11, need_lwp;

reset_db();

sub pem { GwAdmin::slurp_file("t/fixtures/pem/$_[0]") }

my %RSA = (cert => pem('rsa.crt'), key => pem('rsa.key'));
my %EC  = (cert => pem('ec.crt'),  key => pem('ec.key'));
my $SNI_NOT_FOUND = { message => 'SNI not found' };

sub violation {
    my ($field, $msg) = @_;
    return { code => 2, name => 'schema violation', message => "schema violation ($field: $msg)",
             fields => { $field => $msg } };
}

my $cert;

subtest 'POST a certificate with SNIs' => sub {
    my ($st, $b) = api_post('/certificates', { %RSA, snis => [ 'example.test', '*.example.test' ], tags => ['t1'] });
    is($st, 201, '201') or diag(json_enc($b));
    json_match($b, { id => any_uuid(), created_at => any_ts(), updated_at => any_ts(), cert => $RSA{cert},
                     key => $RSA{key}, cert_alt => undef, key_alt => undef, tags => ['t1'],
                     snis => [ '*.example.test', 'example.test' ] }, 'the certificate, snis sorted');
    $cert = $b;
    ($st, $b) = api_get("/certificates/$cert->{id}");
    is_deeply($b->{snis}, [ '*.example.test', 'example.test' ], 'GET by id shows the snis');
    ($st, $b) = api_get('/certificates/example.test');
    is($b->{id}, $cert->{id}, 'GET by SNI name');
    ($st, $b) = api_get('/certificates');
    is_deeply($b->{data}[0]{snis}, [ '*.example.test', 'example.test' ], 'lists show snis too');
    ($st, $b) = api_get('/snis');
    is_deeply([ sort map { $_->{name} } @{ $b->{data} } ], [ '*.example.test', 'example.test' ], 'two SNI rows');
    ($st, $b) = api_get('/snis/example.test');
    is($b->{certificate}{id}, $cert->{id}, 'an SNI names its certificate');
    ($st, $b) = api_get("/certificates/$cert->{id}/snis");
    is(scalar @{ $b->{data} }, 2, 'nested list');
    ($st, $b) = api_get('/snis/example.test/certificate');
    is_deeply($b->{snis}, [ '*.example.test', 'example.test' ], '/snis/{s}/certificate with its snis');
};

subtest 'invalid PEM, mismatched keys, alternative certificates' => sub {
    my ($st, $b) = api_post('/certificates', { cert => 'not a pem', key => $RSA{key} });
    is($st, 400, 'not PEM: 400');
    like($b->{fields}{cert} // '', qr/^invalid certificate: /, 'cert: invalid certificate: ...');
    ($st, $b) = api_post('/certificates', { cert => $RSA{cert}, key => 'garbage' });
    like($b->{fields}{key} // '', qr/^invalid key: /, 'key: invalid key: ...');
    ($st, $b) = api_post('/certificates', { cert => $RSA{cert}, key => pem('other-rsa.key') });
    expect('a key of another certificate', [ $st, $b ], 400, {
        code => 2, name => 'schema violation', message => 'schema violation (certificate does not match key)',
        fields => { '@entity' => [ 'certificate does not match key' ] } });
    ($st, $b) = api_post('/certificates', { cert => $RSA{cert}, key => $RSA{key}, cert_alt => $EC{cert} });
    expect('cert_alt without key_alt', [ $st, $b ], 400, {
        code => 2, name => 'schema violation',
        message => "schema violation (all or none of these fields must be set: 'cert_alt', 'key_alt')",
        fields => { '@entity' => [ "all or none of these fields must be set: 'cert_alt', 'key_alt'" ] } });
    ($st, $b) = api_post('/certificates', { %RSA, cert_alt => $RSA{cert}, key_alt => $RSA{key} });
    is($st, 400, 'two RSA certificates: 400');
    like($b->{message}, qr/need to have different type/, 'different types required');
    ($st, $b) = api_post('/certificates', { %RSA, cert_alt => $EC{cert}, key_alt => $EC{key} });
    is($st, 201, 'RSA + ECDSA: 201');
    is($b->{cert_alt}, $EC{cert}, 'cert_alt stored');
    api_delete("/certificates/$b->{id}");
};

subtest 'SNI conflicts' => sub {
    my ($st, $b) = api_post('/certificates', { %EC, snis => [ 'a.test', 'a.test' ] });
    expect('a name twice', [ $st, $b ], 400, violation('snis', 'a.test is duplicated'));
    ($st, $b) = api_post('/certificates', { %EC, snis => [ 'example.test' ] });
    is($st, 400, 'a name another certificate has: 400');
    is($b->{message}, "schema violation (snis: example.test already associated with existing certificate '$cert->{id}')",
       "Kong's message");
    ($st, $b) = api_get('/certificates');
    is(scalar @{ $b->{data} }, 1, 'nothing was created');
};

subtest 'PATCH and PUT replace the SNIs' => sub {
    my ($st, $b) = api_patch("/certificates/$cert->{id}", { snis => [ 'one.test', 'example.test' ] });
    is($st, 200, 'PATCH');
    is_deeply($b->{snis}, [ 'example.test', 'one.test' ], 'new list');
    ($st, $b) = api_get('/snis');
    is_deeply([ sort map { $_->{name} } @{ $b->{data} } ], [ 'example.test', 'one.test' ], 'rows follow');
    ($st, $b) = api_patch("/certificates/$cert->{id}", { tags => ['t2'] });
    is_deeply($b->{snis}, [ 'example.test', 'one.test' ], 'a PATCH without snis keeps them');
    ($st, $b) = api_put('/certificates/one.test', { %RSA, snis => [] });
    is($st, 200, 'PUT by SNI');
    is($b->{id}, $cert->{id}, 'the same certificate');
    is_deeply($b->{snis}, [ 'one.test' ], 'a PUT by SNI adds the name in the URL to its list');
    ($st, $b) = api_put("/certificates/$cert->{id}", { %RSA });
    is_deeply($b->{snis}, [], 'a PUT without snis clears them, as in Kong');
    ($st, $b) = api_put("/certificates/$cert->{id}", { %RSA, snis => 'one.test' });
    is_deeply($b->{snis}, [ 'one.test' ], 'a lone string is a list of one');
};

subtest 'PUT by an unknown SNI creates a certificate' => sub {
    my ($st, $b) = api_put('/certificates/fresh.test', { %EC, snis => ['extra.test'] });
    is($st, 200, '200');
    is_deeply($b->{snis}, [ 'extra.test', 'fresh.test' ], 'with that SNI added to the list');
    isnt($b->{id}, $cert->{id}, 'a new certificate');
    ($st, $b) = api_get('/certificates/fresh.test');
    is($st, 200, 'found by it');
};

subtest 'unknown SNI names answer "SNI not found"' => sub {
    expect('GET', [ api_get('/certificates/nope.test') ], 404, $SNI_NOT_FOUND);
    expect('PATCH', [ api_patch('/certificates/nope.test', { tags => ['x'] }) ], 404, $SNI_NOT_FOUND);
    expect('DELETE', [ api_delete('/certificates/nope.test') ], 404, $SNI_NOT_FOUND);
    expect('an unknown id', [ api_get('/certificates/00000000-0000-4000-8000-000000000000') ], 404,
           { message => 'Not found' });
};

subtest 'SNI names' => sub {
    my ($st, $b) = api_post("/certificates/$cert->{id}/snis", { name => 'nested.test' });
    is($st, 201, 'POST under a certificate');
    is($b->{certificate}{id}, $cert->{id}, 'belongs to it');
    for my $case ([ '*.a.*', 'only one wildcard must be specified' ],
                  [ 'a.*.b', 'wildcard must be leftmost or rightmost character' ],
                  [ 'a.test:80', 'must not have a port' ],
                  [ '10.0.0.1', 'must not be an IP' ]) {
        ($st, $b) = api_post('/snis', { name => $case->[0], certificate => { id => $cert->{id} } });
        expect("name $case->[0]", [ $st, $b ], 400, violation('name', $case->[1]));
    }
    ($st, $b) = api_post('/snis', { name => 'star.*', certificate => { id => $cert->{id} } });
    is($st, 201, 'a trailing wildcard is fine');
    ($st, $b) = api_post('/snis', { name => 'nested.test', certificate => { id => $cert->{id} } });
    is($st, 409, 'names are unique');
    ($st, $b) = api_post('/snis', { name => 'x.test' });
    expect('certificate is required', [ $st, $b ], 400, violation('certificate', 'required field missing'));
};

subtest 'DELETE a certificate deletes its SNIs' => sub {
    my ($st) = api_delete("/certificates/$cert->{id}");
    is($st, 204, '204');
    my (undef, $b) = api_get('/snis');
    is_deeply([ sort map { $_->{name} } @{ $b->{data} } ], [ 'extra.test', 'fresh.test' ], 'only the other certificate\'s SNIs are left');
};

my $CA = pem('ca.crt');

subtest 'CA certificates' => sub {
    my $digest = `openssl x509 -in t/fixtures/pem/ca.crt -outform DER | sha256sum`;
    ($digest) = $digest =~ /^([0-9a-f]{64})/;
    my ($st, $b) = api_post('/ca_certificates', { cert => $CA, tags => ['ca'] });
    is($st, 201, '201') or diag(json_enc($b));
    json_match($b, { id => any_uuid(), created_at => any_ts(), updated_at => any_ts(), cert => $CA,
                     cert_digest => $digest, tags => ['ca'] }, 'with the SHA-256 digest of its DER');
    ($st, $b) = api_post('/ca_certificates', { cert => $CA });
    is($st, 409, 'the same certificate twice: 409');
    ($st, $b) = api_post('/ca_certificates', { cert => $RSA{cert} });
    is($st, 400, 'not a CA: 400');
    is($b->{message}, 'schema violation (certificate does not appear to be a CA because it is missing the "CA" basic constraint)',
       "Kong's message");
    ($st, $b) = api_post('/ca_certificates', { cert => $CA . $RSA{cert} });
    like($b->{message} // '', qr/please submit only one certificate at a time/, 'one certificate at a time');
};

subtest 'upstreams reference client certificates' => sub {
    my (undef, $c2) = api_post('/certificates', { %RSA });
    my ($st, $b) = api_post('/upstreams', { name => 'mtls', client_certificate => { id => $c2->{id} } });
    is($st, 201, 'an upstream with a client certificate');
    ($st, $b) = api_post('/upstreams', { name => 'mtls2', client_certificate => { id => '00000000-0000-4000-8000-000000000009' } });
    is($st, 400, 'an unknown certificate: 400');
    is($b->{code}, 4, 'foreign key violation');
};

subtest 'schemas' => sub {
    my ($st, $b) = api_get('/schemas/certificates');
    is($st, 200, '/schemas/certificates');
    my ($snis) = map { $_->{snis} } grep { $_->{snis} } @{ $b->{fields} || [] };
    ok($snis && $snis->{transient}, 'lists the transient snis, marked');
    ($st, $b) = api_get('/schemas/snis');
    is($st, 200, '/schemas/snis');
    ($st, $b) = api_get('/schemas/ca_certificates');
    is($st, 200, '/schemas/ca_certificates');
};
