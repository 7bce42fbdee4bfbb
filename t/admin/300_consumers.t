# /consumers CRUD and the custom_id lookup (kong-behaviour.md §1.3-§1.6, §2.3;
# cases follow Kong's spec/02-integration/04-admin_api/03-consumers_routes_spec.lua).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 12, need_lwp;

reset_db();

my $NOT_FOUND   = { message => 'Not found' };
my $NOT_ALLOWED = { message => 'Method not allowed' };
my $AT_LEAST_ONE = q{at least one of these fields must be non-empty: 'custom_id', 'username'};

sub consumer_expect {
    my %over = @_;
    return { id => any_uuid(), created_at => any_ts(), updated_at => any_ts(),
             username => undef, custom_id => undef, tags => undef, %over };
}

subtest 'POST creates a consumer, in every body encoding' => sub {
    my ($st, $b, $res) = api_post('/consumers', { username => 'alice' });
    status_is($res, 201, 'JSON: 201');
    json_match($b, consumer_expect(username => 'alice'), 'every field, nulls included');
    is($b->{created_at}, $b->{updated_at}, 'created_at == updated_at on insert');
    ($st, $b, $res) = api_post('/consumers', form => [ username => 'bob', custom_id => 'b-1' ]);
    status_is($res, 201, 'form-encoded: 201');
    json_match($b, consumer_expect(username => 'bob', custom_id => 'b-1'), 'both names kept');
    ($st, $b, $res) = api_post('/consumers', multipart => [ custom_id => 'c-1', 'tags[]' => 'x' ]);
    status_is($res, 201, 'multipart: 201');
    json_match($b, consumer_expect(custom_id => 'c-1', tags => [ 'x' ]), 'custom_id alone, tags');
    my ($s2, $got) = api_get('/consumers/alice');
    is($s2, 200, 'GET by username');
    is(ref $got && $got->{username}, 'alice', 'the consumer');
};

subtest 'a consumer needs a username or a custom_id' => sub {
    my $err = { code => 2, name => 'schema violation',
                message => "schema violation ($AT_LEAST_ONE)",
                fields => { '@entity' => [ $AT_LEAST_ONE ] } };
    expect('empty JSON object', [ api_post('/consumers', {}) ], 400, $err);
    expect('empty form body', [ api_post('/consumers', form => '') ], 400, $err);
    expect('no body, no Content-Type', [ api_post('/consumers', raw => '') ], 400, $err);
    expect('both null', [ api_post('/consumers', { username => undef, custom_id => undef }) ], 400, $err);
    expect('form values left empty are null', [ api_post('/consumers', form => 'username=&custom_id=') ],
           400, $err);
    expect('empty JSON body', [ api_post('/consumers', raw => '', type => 'application/json') ], 400,
           { message => 'Cannot parse JSON body' });
    expect('wrong type', [ api_post('/consumers', { username => 5 }) ], 400,
           { code => 2, name => 'schema violation', message => 'schema violation (username: expected a string)',
             fields => { username => 'expected a string' } });
    is(sql_count('FROM consumers'), 3, 'nothing stored');
};

subtest 'unique username and custom_id: 409' => sub {
    expect('same username', [ api_post('/consumers', { username => 'alice' }) ], 409,
           { code => 5, name => 'unique constraint violation',
             message => q{UNIQUE violation detected on '{username="alice"}'}, fields => { username => 'alice' } });
    expect('same custom_id', [ api_post('/consumers', { username => 'tom', custom_id => 'b-1' }) ], 409,
           { code => 5, name => 'unique constraint violation',
             message => q{UNIQUE violation detected on '{custom_id="b-1"}'}, fields => { custom_id => 'b-1' } });
    is(sql_count(q{FROM consumers WHERE username = 'tom'}), 0, 'nothing stored');
};

subtest 'GET /consumers?custom_id= is an exact lookup' => sub {
    my (undef, $bob) = api_get('/consumers/bob');
    expect('found', [ api_get('/consumers?custom_id=b-1') ], 200, { data => [ $bob ], next => undef });
    my ($st, undef, $res) = api_get('/consumers?custom_id=does-not-exist');
    is($st, 200, 'absent: 200');
    like($res->content, qr/"data":\[\]/, 'data is an empty JSON array');
    expect('absent: body', [ api_get('/consumers?custom_id=does-not-exist') ], 200, { data => [], next => undef });
    expect('prefix does not match', [ api_get('/consumers?custom_id=b-') ], 200, { data => [], next => undef });
    my $uuid_like = '0f6a6f3e-6c1b-4b8e-9d52-3e0b2d1c4a77';
    my (undef, $u) = api_post('/consumers', { custom_id => $uuid_like });
    expect('a UUID-like custom_id', [ api_get("/consumers?custom_id=$uuid_like") ], 200,
           { data => [ $u ], next => undef });
    expect('other parameters do not change it', [ api_get('/consumers?custom_id=b-1&size=1&tags=zz') ], 200,
           { data => [ $bob ], next => undef });
    my $bad = { message => 'custom_id must be an unempty string' };
    expect('custom_id= (empty)', [ api_get('/consumers?custom_id=') ], 400, $bad);
    expect('custom_id without a value', [ api_get('/consumers?custom_id') ], 400, $bad);
    api_delete("/consumers/$u->{id}");
};

subtest 'listing, pagination and tags' => sub {
    my ($st, $b) = api_get('/consumers');
    is($st, 200, 'GET /consumers');
    is(scalar @{ $b->{data} }, 3, 'three consumers');
    my @ids = map { $_->{id} } @{ $b->{data} };
    is_deeply(\@ids, [ sort @ids ], 'ordered by id');
    ($st, $b) = api_get('/consumers?size=2');
    is(scalar @{ $b->{data} }, 2, 'size=2');
    like($b->{next} // '', qr{^/consumers\?offset=[^&]+&size=2$}, 'next keeps size');
    ($st, $b) = api_get('/consumers?tags=x');
    is_deeply([ map { $_->{custom_id} } @{ $b->{data} } ], [ 'c-1' ], 'tags=x');
    expect('tags= (empty)', [ api_get('/consumers?tags=') ], 400,
           { code => 11, name => 'invalid options', message => 'invalid option (tags: cannot be null)',
             options => { tags => 'cannot be null' } });
};

subtest 'GET by id, username, encoded and UTF-8 username; 404' => sub {
    my (undef, $c) = api_post('/consumers', { username => 'ünïcode user' });
    my ($st, $b) = api_get('/consumers/' . seg('ünïcode user'));
    is($st, 200, 'percent-encoded UTF-8 username with a space');
    is($b->{id}, $c->{id}, 'the consumer');
    ($st, $b) = api_get("/consumers/$c->{id}");
    is($b->{username}, 'ünïcode user', 'by id');
    expect('absent username', [ api_get('/consumers/_inexistent_') ], 404, $NOT_FOUND);
    expect('absent id', [ api_get('/consumers/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b') ], 404, $NOT_FOUND);
};

subtest 'PATCH' => sub {
    my (undef, $b) = api_post('/consumers', { username => 'patchme', custom_id => 'p-1', tags => [ 'a' ] });
    GwTest::psql("UPDATE consumers SET created_at = to_timestamp(1000000000), "
               . "updated_at = to_timestamp(1000000000) WHERE id = '$b->{id}'");
    my ($st, $p, $res) = api_patch('/consumers/patchme', { custom_id => 'p-2' });
    status_is($res, 200, 'PATCH by username');
    json_match($p, consumer_expect(id => $b->{id}, username => 'patchme', custom_id => 'p-2',
                                   tags => [ 'a' ], created_at => 1000000000),
               'only custom_id changed');
    ok($p->{updated_at} > 1000000000, 'updated_at bumped');
    ($st, $p) = api_patch('/consumers/patchme', form => [ username => 'patchme', custom_id => 'p-2' ]);
    is($st, 200, 'PATCH with the values it already has (form)');
    ($st, $p) = api_patch("/consumers/$b->{id}", { username => 'patched' });
    is($p->{username}, 'patched', 'PATCH by id renames');
    expect('clearing both names', [ api_patch('/consumers/patched', { username => undef, custom_id => undef }) ],
           400, { code => 2, name => 'schema violation', message => "schema violation ($AT_LEAST_ONE)",
                  fields => { '@entity' => [ $AT_LEAST_ONE ] } });
    expect('to a taken username', [ api_patch('/consumers/patched', { username => 'alice' }) ], 409,
           { code => 5, name => 'unique constraint violation',
             message => q{UNIQUE violation detected on '{username="alice"}'}, fields => { username => 'alice' } });
    expect('absent', [ api_patch('/consumers/_inexistent_', { username => 'x' }) ], 404, $NOT_FOUND);
    ($st) = api_patch('/consumers/patched', raw => '{"hello": "world"}', type => 'invalid');
    is($st, 415, 'unknown Content-Type: 415');
    expect('empty JSON body', [ api_patch('/consumers/patched', raw => '', type => 'application/json') ],
           400, { message => 'Cannot parse JSON body' });
};

subtest 'PUT creates (200) and replaces' => sub {
    my $id = '3c1d4f2e-8a7b-4c6d-9e0f-1a2b3c4d5e6f';
    my ($st, $b, $res) = api_put("/consumers/$id", { custom_id => 'put-1' });
    status_is($res, 200, 'PUT by a new id: 200');
    json_match($b, consumer_expect(id => $id, custom_id => 'put-1'), 'created with that id');
    ($st, $b) = api_put('/consumers/put-user', {});
    is($st, 200, 'PUT by a new username with an empty body');
    json_match($b, consumer_expect(username => 'put-user'), 'the username comes from the URL');
    my $put_id = $b->{id};
    ($st, $b) = api_put('/consumers/put-user', { custom_id => 'put-2' });
    is($b->{id}, $put_id, 'PUT by username replaces the same consumer');
    ($st, $b) = api_put('/consumers/put-user', {});
    json_match($b, consumer_expect(id => $put_id, username => 'put-user'),
               'a full replacement: custom_id back to null');
    expect('PUT a new id without names', [ api_put('/consumers/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', {}) ],
           400, { code => 2, name => 'schema violation', message => "schema violation ($AT_LEAST_ONE)",
                  fields => { '@entity' => [ $AT_LEAST_ONE ] } });
    expect('malformed JSON', [ api_put("/consumers/$id", raw => '{"hello": "world"',
                                       type => 'application/json') ], 400,
           { message => 'Cannot parse JSON body' });
};

subtest 'DELETE is 204, also when absent' => sub {
    my (undef, $b) = api_post('/consumers', { username => 'del-1' });
    expect('by id', [ api_delete("/consumers/$b->{id}") ], 204, '');
    expect('gone', [ api_get("/consumers/$b->{id}") ], 404, $NOT_FOUND);
    api_post('/consumers', { username => 'del-2' });
    expect('by username', [ api_delete('/consumers/del-2') ], 204, '');
    is(sql_count(q{FROM consumers WHERE username LIKE 'del-%'}), 0, 'both gone');
    expect('absent', [ api_delete('/consumers/never-existed') ], 204, '');
};

subtest 'methods' => sub {
    for my $m (qw(DELETE PATCH PUT)) {
        expect("$m /consumers", [ api_request($m, '/consumers', json => {}) ], 405, $NOT_ALLOWED);
    }
    expect('POST /consumers/alice', [ api_post('/consumers/alice', { username => 'x' }) ], 405, $NOT_ALLOWED);
    my ($st, undef, $res) = api_options('/consumers');
    is($st, 204, 'OPTIONS /consumers');
    is($res->header('Allow'), 'GET, HEAD, OPTIONS, POST', 'collection methods');
    ($st, undef, $res) = api_options('/consumers/alice');
    is($res->header('Allow'), 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT', 'entity methods');
};

subtest 'tags, schema and endpoints know consumers' => sub {
    my ($st, $b) = api_get('/tags/x');
    is($st, 200, 'GET /tags/x');
    ok((grep { $_->{entity_name} eq 'consumers' } @{ $b->{data} || [] }), 'the tagged consumer is listed');
    ($st, $b) = api_get('/schemas/consumers');
    is($st, 200, 'GET /schemas/consumers');
    json_match($b->{entity_checks}, [ { at_least_one_of => [ 'custom_id', 'username' ] } ], 'entity checks');
    my %f = map { %$_ } @{ $b->{fields} || [] };
    is_deeply([ sort keys %f ], [ sort qw(id created_at updated_at username custom_id tags) ], 'fields');
    ($st, $b) = api_get('/endpoints');
    my %have = map { $_ => 1 } @{ $b->{data} || [] };
    ok($have{'/consumers'} && $have{'/consumers/{consumers}'}, '/consumers and /consumers/{consumers} listed');
};

subtest 'stored rows follow Kong\'s columns' => sub {
    my (undef, $b) = api_get('/consumers/bob');
    my ($row) = sql_lines(q{username || '|' || custom_id || '|' || extract(epoch from created_at)::bigint},
                          q{FROM consumers WHERE username = 'bob'});
    is($row, "bob|b-1|$b->{created_at}", 'username, custom_id, timestamptz at second precision');
};
