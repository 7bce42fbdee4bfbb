# /services CRUD (kong-behaviour.md §1.3, §1.4, §1.6, §2.1).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 20, need_lwp;

reset_db();

my $NOT_FOUND  = { message => 'Not found' };
my $NOT_ALLOWED = { message => 'Method not allowed' };

sub set_times {
    my ($id, $epoch) = @_;
    GwTest::psql("UPDATE services SET created_at = to_timestamp($epoch), "
               . "updated_at = to_timestamp($epoch) WHERE id = '$id'");
}

subtest 'POST creates a service with every default' => sub {
    my ($st, $b, $res) = api_post('/services', { name => 's1', url => 'http://example.com' });
    status_is($res, 201, 'POST /services is 201');
    like($res->header('Content-Type') // '', qr{^application/json}, 'JSON content type');
    json_match($b, service_expect(name => 's1', host => 'example.com'), 'all fields, defaults and nulls');
    is($b->{created_at}, $b->{updated_at}, 'created_at == updated_at on insert');

    my ($st2, $by_name) = api_get('/services/s1');
    is($st2, 200, 'GET by name');
    is_deeply($by_name, $b, 'GET by name returns the stored entity');
    my ($st3, $by_id) = api_get("/services/$b->{id}");
    is($st3, 200, 'GET by id');
    is_deeply($by_id, $b, 'GET by id returns the stored entity');
};

subtest "Kong's getting-started flow, typed as a user would" => sub {
    my ($st, $svc, $res) = api_post('/services',
        form => 'name=example_service&url=http://httpbin.konghq.com');
    status_is($res, 201, 'POST /services (form) is 201');
    json_match($svc, service_expect(name => 'example_service', host => 'httpbin.konghq.com'),
               'service from the tutorial');

    my ($st2, $route, $res2) = api_post('/services/example_service/routes',
        form => 'paths[]=/mock&name=example_route');
    status_is($res2, 201, 'POST /services/example_service/routes (form) is 201');
    json_match($route, route_expect(name => 'example_route', paths => ['/mock'],
                                    service => { id => $svc->{id} }),
               'route from the tutorial');

    my ($st3, $list, $res3) = api_get('/services/example_service/routes');
    status_is($res3, 200, 'GET /services/example_service/routes is 200');
    json_match($list, { data => [ $route ], next => undef }, 'lists exactly that route');
    expect('DELETE the tutorial route', [ api_delete('/routes/example_route') ], 204, '');
    expect('DELETE the tutorial service', [ api_delete('/services/example_service') ], 204, '');
};

subtest 'POST with every settable field' => sub {
    my $in = {
        name => 'full', protocol => 'https', host => 'api.example.com', port => 8443,
        path => '/v1', retries => 3, connect_timeout => 1000, write_timeout => 2000,
        read_timeout => 3000, tags => [ 'a', 'b' ], tls_verify => jtrue(),
        tls_verify_depth => 3, enabled => jfalse(),
    };
    my ($st, $b, $res) = api_post('/services', $in);
    status_is($res, 201, 'created');
    json_match($b, service_expect(%$in), 'every field echoed with its JSON type');
    my (undef, $again) = api_get('/services/full');
    json_match($again, service_expect(%$in), 'stored as given');
};

subtest 'JSON null sets a field to null' => sub {
    my ($st, $b, $res) = api_post('/services', { name => undef, host => 'null.example.com',
                                                 path => undef, tags => undef });
    status_is($res, 201, 'created');
    json_match($b, service_expect(host => 'null.example.com'), 'nulls kept');
};

subtest 'client-supplied id and primary key violation' => sub {
    my $id = '6a0c1f5e-2c3d-4e5f-8a9b-0c1d2e3f4a5b';
    my ($st, $b, $res) = api_post('/services', { id => $id, host => 'id.example.com' });
    status_is($res, 201, 'created with the given id');
    is($b->{id}, $id, 'id is the one supplied');
    expect('same id again',
           [ api_post('/services', { id => $id, host => 'id2.example.com' }) ], 400,
           { code => 3, name => 'primary key violation',
             message => qq{primary key violation on key '{id="$id"}'},
             fields => { id => $id } });
    expect('invalid id',
           [ api_post('/services', { id => 'not-a-uuid', host => 'x.example.com' }) ], 400,
           { code => 2, name => 'schema violation',
             message => 'schema violation (id: expected a valid UUID)',
             fields => { id => 'expected a valid UUID' } });
};

subtest '409 on a duplicate name' => sub {
    expect('POST duplicate name', [ api_post('/services', { name => 's1', host => 'other.example.com' }) ],
           409, { code => 5, name => 'unique constraint violation',
                  message => q{UNIQUE violation detected on '{name="s1"}'},
                  fields => { name => 's1' } });
    is(sql_count(q{FROM services WHERE host = 'other.example.com'}), 0, 'nothing stored');
};

subtest 'UTF-8 names, raw and percent-encoded' => sub {
    my ($st, $b, $res) = api_post('/services', { name => '円', host => 'yen.example.com' });
    status_is($res, 201, 'created with a UTF-8 name');
    is($b->{name}, '円', 'name echoed as UTF-8');
    my ($s1, $e1) = api_get('/services/%E5%86%86');
    is($s1, 200, 'GET /services/%E5%86%86');
    is_deeply($e1, $b, 'same entity');
    my ($s2, $e2) = api_get('/services/' . seg('円'));
    is($s2, 200, 'GET with an encoded character string');
    my ($s3, $e3) = raw_http("GET /services/\xE5\x86\x86 HTTP/1.0\r\nHost: localhost\r\n\r\n");
    is($s3, 200, 'GET with raw UTF-8 bytes in the request line');
    is($e3->{id}, $b->{id}, 'raw form finds the same entity');
    my ($s4, $e4) = api_patch('/services/%E5%86%86', { retries => 1 });
    is($s4, 200, 'PATCH by encoded UTF-8 name');
    is($e4->{retries}, 1, 'patched');
};

subtest 'GET of an absent service is 404' => sub {
    expect('unknown id', [ api_get('/services/b2d2e0a8-4bb1-4f2e-9c7a-2f8d7d6f3e10') ], 404, $NOT_FOUND);
    expect('unknown name', [ api_get('/services/not-found') ], 404, $NOT_FOUND);
};

subtest 'PUT by name creates (200) and forces the name from the URL' => sub {
    my ($st, $b, $res) = api_put('/services/put-by-name',
                                 { name => 'something-else', host => 'put.example.com', retries => 2 });
    status_is($res, 200, 'PUT that creates is 200, not 201');
    json_match($b, service_expect(name => 'put-by-name', host => 'put.example.com', retries => 2),
               'name comes from the URL');
    is(sql_count(q{FROM services WHERE name = 'something-else'}), 0, 'body name ignored');

    my ($st2, $b2, $res2) = api_put('/services/put-by-name', { host => 'put2.example.com' });
    status_is($res2, 200, 'PUT that replaces is 200');
    is($b2->{id}, $b->{id}, 'same entity (id kept)');
    json_match($b2, service_expect(id => $b->{id}, name => 'put-by-name', host => 'put2.example.com'),
               'full replacement: retries back to its default');
};

subtest 'PUT by id creates with that id, then replaces' => sub {
    my $id = '0f6a6f3e-6c1b-4b8e-9d52-3e0b2d1c4a77';
    my ($st, $b, $res) = api_put("/services/$id",
                                 { name => 'put-by-id', url => 'https://put.example.com:8443/p' });
    status_is($res, 200, 'PUT by id that creates is 200');
    json_match($b, service_expect(id => $id, name => 'put-by-id', protocol => 'https',
                                  host => 'put.example.com', port => 8443, path => '/p'),
               'created with the URL id');

    set_times($id, 1000000000);
    my (undef, $old) = api_get("/services/$id");
    is($old->{created_at}, 1000000000, 'timestamps read back as integer seconds');

    my ($st2, $b2, $res2) = api_put("/services/$id", { host => 'replaced.example.com' });
    status_is($res2, 200, 'PUT by id that replaces is 200');
    json_match($b2, service_expect(id => $id, host => 'replaced.example.com'),
               'fields not given revert to defaults or null (name too)');
    ok($b2->{created_at} > 1000000000, 'created_at regenerated by PUT (whole row overwritten)');
};

subtest 'PUT errors' => sub {
    expect('PUT without host', [ api_put('/services/put-invalid', {}) ], 400,
           { code => 2, name => 'schema violation',
             message => 'schema violation (host: required field missing)',
             fields => { host => 'required field missing' } });
    is(sql_count(q{FROM services WHERE name = 'put-invalid'}), 0, 'nothing stored');
    expect('PUT a new id with a taken name',
           [ api_put('/services/3c1d4f2e-8a7b-4c6d-9e0f-1a2b3c4d5e6f', { name => 's1', host => 'x.example.com' }) ],
           409, { code => 5, name => 'unique constraint violation',
                  message => q{UNIQUE violation detected on '{name="s1"}'},
                  fields => { name => 's1' } });
    expect('PUT on the collection', [ api_put('/services', { host => 'x.example.com' }) ], 405, $NOT_ALLOWED);
};

subtest 'PATCH merges and bumps updated_at' => sub {
    my (undef, $b) = api_post('/services', { name => 'patchme', url => 'http://patch.example.com/base',
                                             tags => [ 'a', 'b' ], retries => 7 });
    set_times($b->{id}, 1000000000);
    my ($st, $p, $res) = api_patch('/services/patchme', { read_timeout => 1234 });
    status_is($res, 200, 'PATCH is 200');
    json_match($p, service_expect(id => $b->{id}, name => 'patchme', host => 'patch.example.com',
                                  path => '/base', tags => [ 'a', 'b' ], retries => 7,
                                  read_timeout => 1234, created_at => 1000000000),
               'only the given field changed, created_at kept');
    ok($p->{updated_at} > 1000000000, 'updated_at bumped');

    ($st, $p) = api_patch("/services/$b->{id}", { tags => [ 'c' ], path => undef });
    is($st, 200, 'PATCH by id');
    json_match($p->{tags}, [ 'c' ], 'arrays are replaced, not merged');
    ok(!defined $p->{path} && exists $p->{path}, 'null clears a field');

    ($st, $p) = api_patch('/services/patchme', { name => undef });
    is($st, 200, 'PATCH name to null');
    ok(exists $p->{name} && !defined $p->{name}, 'name cleared');
    my ($s2) = api_get("/services/$b->{id}");
    is($s2, 200, 'still reachable by id');
    api_patch("/services/$b->{id}", { name => 'patchme' });
};

subtest 'PATCH with url rewrites protocol, host, port and path' => sub {
    my @cases = (
        [ 'http://example.test:443',   'http',  'example.test',  443, undef ],
        [ 'https://example2.test:80/', 'https', 'example2.test', 80,  '/'   ],
        [ 'http://example2.test',      'http',  'example2.test', 80,  undef ],
        [ 'https://service.test/',     'https', 'service.test',  443, '/'   ],
    );
    for my $c (@cases) {
        my ($st, $p) = api_patch('/services/patchme', { url => $c->[0] });
        is($st, 200, "PATCH url=$c->[0]");
        json_match({ map { $_ => $p->{$_} } qw(protocol host port path) },
                   { protocol => $c->[1], host => $c->[2], port => $c->[3], path => $c->[4] },
                   "url=$c->[0] parsed");
        ok(!exists $p->{url}, 'url is write-only');
    }
};

subtest 'PATCH errors' => sub {
    my (undef, $before) = api_get('/services/patchme');
    expect('PATCH absent id', [ api_patch('/services/b2d2e0a8-4bb1-4f2e-9c7a-2f8d7d6f3e10', { retries => 1 }) ],
           404, $NOT_FOUND);
    expect('PATCH absent name', [ api_patch('/services/absent-service', { retries => 1 }) ], 404, $NOT_FOUND);
    is(sql_count(q{FROM services WHERE name = 'absent-service'}), 0, 'PATCH does not create');
    expect('PATCH to a taken name', [ api_patch('/services/patchme', { name => 's1' }) ], 409,
           { code => 5, name => 'unique constraint violation',
             message => q{UNIQUE violation detected on '{name="s1"}'}, fields => { name => 's1' } });
    expect('PATCH with a wrong type', [ api_patch('/services/patchme', { connect_timeout => 'foobar' }) ], 400,
           { code => 2, name => 'schema violation',
             message => 'schema violation (connect_timeout: expected an integer)',
             fields => { connect_timeout => 'expected an integer' } });
    my (undef, $after) = api_get('/services/patchme');
    is_deeply($after, $before, 'failed PATCHes changed nothing');
    expect('PATCH on the collection', [ api_patch('/services', { retries => 1 }) ], 405, $NOT_ALLOWED);
};

subtest 'DELETE is 204, also when absent' => sub {
    my (undef, $b) = api_post('/services', { name => 'del-by-id', host => 'del.example.com' });
    expect('DELETE by id', [ api_delete("/services/$b->{id}") ], 204, '');
    expect('gone', [ api_get("/services/$b->{id}") ], 404, $NOT_FOUND);
    api_post('/services', { name => 'del-by-name', host => 'del.example.com' });
    expect('DELETE by name', [ api_delete('/services/del-by-name') ], 204, '');
    expect('gone by name', [ api_get('/services/del-by-name') ], 404, $NOT_FOUND);
    expect('DELETE absent id', [ api_delete('/services/b2d2e0a8-4bb1-4f2e-9c7a-2f8d7d6f3e10') ], 204, '');
    expect('DELETE absent name', [ api_delete('/services/never-existed') ], 204, '');
    expect('DELETE on the collection', [ api_delete('/services') ], 405, $NOT_ALLOWED);
};

subtest 'DELETE of a service referenced by routes is refused' => sub {
    my (undef, $s) = api_post('/services', { name => 'referenced', host => 'ref.example.com' });
    my ($rs, $r) = api_post('/routes', { paths => [ '/ref' ], service => { id => $s->{id} } });
    is($rs, 201, 'route created');
    expect('DELETE referenced service', [ api_delete('/services/referenced') ], 400,
           { code => 4, name => 'foreign key violation',
             message => q{an existing 'routes' entity references this 'services' entity},
             fields => { '@referenced_by' => 'routes' } });
    is(sql_count("FROM services WHERE id = '$s->{id}'"), 1, 'service still stored');
    expect('DELETE the route', [ api_delete("/routes/$r->{id}") ], 204, '');
    expect('then the service', [ api_delete('/services/referenced') ], 204, '');
};

subtest 'POST on an entity is 405' => sub {
    expect('POST /services/s1', [ api_post('/services/s1', { host => 'x.example.com' }) ], 405, $NOT_ALLOWED);
};

subtest 'GET ignores an invalid body' => sub {
    my ($st) = api_get('/services/s1', raw => 'this fails if decoded as json', type => 'application/json');
    is($st, 200, 'GET /services/s1 with garbage JSON body');
    ($st) = api_get('/services', raw => 'this fails if decoded as json', type => 'application/json');
    is($st, 200, 'GET /services with garbage JSON body');
};

subtest 'DELETE ignores an invalid body' => sub {
    api_post('/services', { name => 'del-body', host => 'x.example.com' });
    expect('DELETE with garbage JSON body',
           [ api_delete('/services/del-body', raw => '{not json', type => 'application/json') ], 204, '');
    expect('deleted', [ api_get('/services/del-body') ], 404, $NOT_FOUND);
};

subtest 'stored rows match the API view' => sub {
    my (undef, $b) = api_get('/services/full');
    my ($row) = sql_lines(q{name || '|' || protocol || '|' || host || '|' || port || '|' || path
                            || '|' || retries || '|' || array_to_string(tags, ',') || '|' || enabled::text
                            || '|' || extract(epoch from created_at)::bigint},
                          q{FROM services WHERE name = 'full'});
    is($row, "full|https|api.example.com|8443|/v1|3|a,b|false|$b->{created_at}",
       'Kong column layout: one row, text[] tags, timestamptz at second precision');
};
