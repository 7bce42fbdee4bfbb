# Credentials (kong-behaviour.md §2.8): key-auth, basic-auth, hmac-auth,
# jwt and acls, nested under their consumer and at the top level, with
# generated keys and secrets, basic-auth passwords stored hashed (SHA-1 of
# password and consumer id), jwt algorithms and public keys, ACL groups
# unique per consumer, and cascading deletes.
use strict;
use warnings;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Digest::SHA qw(sha1_hex);
use GwAdmin;

plan tests => 9, need_lwp;

reset_db();

my (undef, $alice) = api_post('/consumers', { username => 'alice' });
my (undef, $bob)   = api_post('/consumers', { username => 'bob' });

sub violation {
    my ($field, $msg) = @_;
    return { code => 2, name => 'schema violation', message => "schema violation ($field: $msg)",
             fields => { $field => $msg } };
}

subtest 'key-auth: nested and top level, generated keys' => sub {
    my ($st, $b) = api_post('/consumers/alice/key-auth', {});
    is($st, 201, 'POST with no key');
    like($b->{key} // '', qr/\A[A-Za-z0-9]{32}\z/, 'a random 32-character key');
    json_match($b, { id => any_uuid(), created_at => any_ts(), consumer => { id => $alice->{id} },
                     key => $b->{key}, tags => undef }, 'shape');
    ($st, $b) = api_post('/consumers/alice/key-auth', { key => 'alice-key', tags => ['k'] });
    is($b->{key}, 'alice-key', 'a given key');
    ($st, $b) = api_get('/consumers/alice/key-auth/alice-key');
    is($st, 200, 'nested GET by key');
    ($st, $b) = api_get('/key-auths/alice-key');
    is($b->{consumer}{id}, $alice->{id}, 'top-level GET by key');
    ($st, $b) = api_get('/consumers/bob/key-auth/alice-key');
    is($st, 404, 'not under another consumer');
    ($st, $b) = api_post('/consumers/bob/key-auth', { key => 'alice-key' });
    is($st, 409, 'keys are unique');
    ($st, $b) = api_post('/key-auths', { key => 'orphan' });
    expect('top-level POST needs a consumer', [ $st, $b ], 400, violation('consumer', 'required field missing'));
    ($st, $b) = api_post('/key-auths', { key => 'bob-key', consumer => { username => 'bob' } });
    is($st, 201, 'top-level POST with the consumer by username');
    ($st, $b) = api_get('/key-auths');
    is(scalar @{ $b->{data} }, 3, 'three keys');
    ($st, $b) = api_get('/key-auths/bob-key/consumer');
    is($b->{username}, 'bob', '/key-auths/{k}/consumer');
    ($st, $b) = api_post('/consumers/alice/key-auth', { key => 'ttl-key', ttl => 3600 });
    is($st, 201, 'ttl is accepted');
    my ($expiry) = sql_lines(q{(ttl BETWEEN now() + interval '3500 seconds' AND now() + interval '3700 seconds')::text},
                             q{FROM keyauth_credentials WHERE key = 'ttl-key'});
    is($expiry, 'true', 'the key expires an hour from now');
    ($expiry) = sql_lines(q{(ttl IS NULL)::text}, q{FROM keyauth_credentials WHERE key = 'alice-key'});
    is($expiry, 'true', 'a key without ttl never expires');
    ($st, $b) = api_post('/consumers/alice/key-auth', { key => 'bad-ttl', ttl => 'soon' });
    is($st, 400, 'a ttl that is not a number: 400');
    is($b->{code}, 11, 'invalid options');
};

subtest 'basic-auth: the password is stored hashed' => sub {
    my ($st, $b) = api_post('/consumers/alice/basic-auth', { username => 'alice', password => 's3cret' });
    is($st, 201, '201');
    is($b->{password}, sha1_hex('s3cret' . $alice->{id}), 'sha1(password .. consumer id)');
    ($st, $b) = api_get('/consumers/alice/basic-auth/alice');
    is($b->{password}, sha1_hex('s3cret' . $alice->{id}), 'never returned in clear');
    ($st, $b) = api_patch('/basic-auths/alice', { password => 'n3w' });
    is($b->{password}, sha1_hex('n3w' . $alice->{id}), 'a new password is hashed too');
    ($st, $b) = api_post('/consumers/bob/basic-auth', { username => 'alice', password => 'x' });
    is($st, 409, 'usernames are unique');
    ($st, $b) = api_post('/consumers/bob/basic-auth', { username => 'bob' });
    expect('password is required', [ $st, $b ], 400, violation('password', 'required field missing'));
};

subtest 'hmac-auth: generated secret' => sub {
    my ($st, $b) = api_post('/consumers/alice/hmac-auth', { username => 'alice-hmac' });
    is($st, 201, '201');
    like($b->{secret} // '', qr/\A[A-Za-z0-9]{32}\z/, 'a random secret');
    ($st, $b) = api_get('/hmac-auths/alice-hmac');
    is($b->{consumer}{id}, $alice->{id}, 'by username');
};

subtest 'jwt: algorithms and keys' => sub {
    my ($st, $b) = api_post('/consumers/alice/jwt', {});
    is($st, 201, '201');
    is($b->{algorithm}, 'HS256', 'HS256 by default');
    like($b->{key} // '', qr/\A[A-Za-z0-9]{32}\z/, 'a generated key');
    like($b->{secret} // '', qr/\A[A-Za-z0-9]{32}\z/, 'a generated secret');
    ($st, $b) = api_post('/consumers/alice/jwt', { key => 'rsa', algorithm => 'RS256' });
    is($st, 400, 'RS256 without a public key: 400');
    is($b->{fields}{rsa_public_key}, 'required field missing', 'rsa_public_key is required');
    ($st, $b) = api_post('/consumers/alice/jwt', { key => 'rsa', algorithm => 'RS256', rsa_public_key => 'nope' });
    is($b->{fields}{rsa_public_key}, 'invalid key', 'a public key that is not one');
    ($st, $b) = api_post('/consumers/alice/jwt', { key => 'rsa', algorithm => 'RS256',
                                                   rsa_public_key => GwAdmin::slurp_file('t/fixtures/pem/rsa-public.pem') });
    is($st, 201, 'RS256 with a PEM public key');
    ($st, $b) = api_post('/consumers/alice/jwt', { algorithm => 'XX1' });
    is($st, 400, 'unknown algorithm');
    like($b->{fields}{algorithm} // '', qr/^expected one of: HS256, HS384/, 'lists the algorithms');
    ($st, $b) = api_get('/jwts/rsa');
    is($b->{algorithm}, 'RS256', 'GET /jwts/{key}');
};

subtest 'acls: groups unique per consumer, addressed under it' => sub {
    my ($st, $b) = api_post('/consumers/alice/acls', { group => 'admins' });
    is($st, 201, '201');
    my $acl = $b;
    ($st, $b) = api_post('/consumers/alice/acls', { group => 'admins' });
    is($st, 409, 'the same group twice: 409');
    ($st, $b) = api_post('/consumers/bob/acls', { group => 'admins' });
    is($st, 201, 'another consumer may have it');
    ($st, $b) = api_get('/consumers/alice/acls/admins');
    is($b->{id}, $acl->{id}, 'nested GET by group');
    ($st, $b) = api_get("/acls/$acl->{id}");
    is($b->{group}, 'admins', 'top-level GET by id');
    ($st, $b) = api_post('/consumers/alice/acls', {});
    expect('group is required', [ $st, $b ], 400, violation('group', 'required field missing'));
    ($st) = api_delete('/consumers/alice/acls/admins');
    is($st, 204, 'nested DELETE by group');
};

subtest 'pagination and tags' => sub {
    api_post('/consumers/bob/key-auth', { key => "page-$_", tags => ['paged'] }) for 1 .. 5;
    my ($st, $b) = api_get('/key-auths?size=2&tags=paged');
    is(scalar @{ $b->{data} }, 2, 'a page of two');
    like($b->{next} // '', qr{^/key-auths\?offset=}, 'next');
    ($st, $b) = api_get('/consumers/bob/key-auth?size=3');
    is(scalar @{ $b->{data} }, 3, 'nested page');
    ($st, $b) = api_get('/tags/paged');
    is(scalar @{ $b->{data} }, 5, '/tags knows credentials');
};

subtest 'PUT upserts by key' => sub {
    my ($st, $b) = api_put('/consumers/bob/key-auth/put-key', { tags => ['p'] });
    is($st, 200, 'PUT creates');
    is($b->{key}, 'put-key', 'with the key from the URL');
    ($st, $b) = api_put('/consumers/bob/key-auth/put-key', { tags => ['q'] });
    is_deeply($b->{tags}, ['q'], 'PUT replaces');
};

subtest 'deleting a consumer deletes its credentials' => sub {
    my ($st) = api_delete('/consumers/alice');
    is($st, 204, '204');
    for my $path ('/key-auths/alice-key', '/basic-auths/alice', '/hmac-auths/alice-hmac', '/jwts/rsa') {
        ($st) = api_get($path);
        is($st, 404, "$path is gone");
    }
};

subtest 'endpoints and schemas' => sub {
    my (undef, $b) = api_get('/endpoints');
    my %have = map { $_ => 1 } @{ $b->{data} };
    for my $p ('/key-auths', '/consumers/{consumers}/key-auth', '/basic-auths', '/consumers/{consumers}/basic-auth',
               '/jwts', '/consumers/{consumers}/jwt', '/hmac-auths', '/consumers/{consumers}/hmac-auth',
               '/acls', '/consumers/{consumers}/acls') {
        ok($have{$p}, "lists $p");
    }
    my ($st) = api_get('/schemas/keyauth_credentials');
    is($st, 200, '/schemas/keyauth_credentials');
};
