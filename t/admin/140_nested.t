# Nested endpoints /services/{s}/routes[/{r}] and /routes/{r}/service
# (kong-behaviour.md §1.4 "Nested forms").
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 16, need_lwp;

reset_db();

my $NOT_FOUND   = { message => 'Not found' };
my $NOT_ALLOWED = { message => 'Method not allowed' };
my $ABSENT_ID   = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';

my (undef, $s1) = api_post('/services', { name => 'ns1', host => 'ns1.test' });
my (undef, $s2) = api_post('/services', { name => 'ns2', host => 'ns2.test' });

subtest 'POST /services/{s}/routes binds the route to s' => sub {
    my ($st, $b, $res) = api_post('/services/ns1/routes', { name => 'n1', paths => [ '/n1' ] });
    status_is($res, 201, 'POST by service name is 201');
    json_match($b, route_expect(name => 'n1', paths => [ '/n1' ], service => { id => $s1->{id} }), 'service forced');

    ($st, $b, $res) = api_post("/services/$s1->{id}/routes", { name => 'n2', hosts => [ 'n2.test' ],
                                                               service => { id => $s2->{id} } });
    status_is($res, 201, 'POST by service id is 201');
    json_match($b->{service}, { id => $s1->{id} }, 'a service in the body is overridden by the URL');

    ($st, $b, $res) = api_post('/services/ns2/routes', form => 'name=n3&paths[]=/n3&methods=GET');
    status_is($res, 201, 'form-encoded nested POST');
    json_match($b, route_expect(name => 'n3', paths => [ '/n3' ], methods => [ 'GET' ],
                                service => { id => $s2->{id} }), 'form route bound to ns2');
};

subtest 'POST under an absent service is 404' => sub {
    my $before = sql_count('FROM routes');
    expect('by name', [ api_post('/services/nope/routes', { paths => [ '/x' ] }) ], 404, $NOT_FOUND);
    expect('by id', [ api_post("/services/$ABSENT_ID/routes", { paths => [ '/x' ] }) ], 404, $NOT_FOUND);
    is(sql_count('FROM routes'), $before, 'nothing stored');
};

subtest 'GET /services/{s}/routes lists only that service' => sub {
    api_post('/routes', { name => 'orphan', paths => [ '/orphan' ] });
    my ($st, $b, $res) = api_get('/services/ns1/routes');
    status_is($res, 200, 'by name');
    is_deeply([ sort map { $_->{name} } @{ $b->{data} } ], [ 'n1', 'n2' ], 'the two routes of ns1');
    ok(exists $b->{next} && !defined $b->{next}, 'next is null');
    ok(!exists $b->{offset}, 'no offset on the last page');
    my @ids = map { $_->{id} } @{ $b->{data} };
    is_deeply(\@ids, [ sort @ids ], 'ordered by id');

    my ($st2, $b2) = api_get("/services/$s1->{id}/routes");
    is($st2, 200, 'by id');
    is_deeply($b2, $b, 'same listing by id');

    expect('absent service by name', [ api_get('/services/nope/routes') ], 404, $NOT_FOUND);
    expect('absent service by id', [ api_get("/services/$ABSENT_ID/routes") ], 404, $NOT_FOUND);

    my (undef, $e) = api_post('/services', { name => 'empty-svc', host => 'e.test' });
    my ($st3, $b3, $res3) = api_get('/services/empty-svc/routes');
    is($st3, 200, 'service without routes');
    json_match($b3, { data => [], next => undef }, 'empty list');
    like($res3->content, qr/"data"\s*:\s*\[\s*\]/, 'data serialised as []');
};

subtest 'GET /services/{s}/routes/{r}' => sub {
    my (undef, $n1) = api_get('/routes/n1');
    my ($st, $b) = api_get('/services/ns1/routes/n1');
    is($st, 200, 'route of ns1 by names');
    is_deeply($b, $n1, 'same entity');
    ($st, $b) = api_get("/services/$s1->{id}/routes/$n1->{id}");
    is($st, 200, 'by ids');
    expect('route of another service', [ api_get('/services/ns2/routes/n1') ], 404, $NOT_FOUND);
    expect('route without service', [ api_get('/services/ns1/routes/orphan') ], 404, $NOT_FOUND);
    expect('absent route', [ api_get("/services/ns1/routes/$ABSENT_ID") ], 404, $NOT_FOUND);
    expect('absent service', [ api_get('/services/nope/routes/n1') ], 404, $NOT_FOUND);
};

subtest 'PATCH /services/{s}/routes/{r}' => sub {
    my ($st, $b, $res) = api_patch('/services/ns1/routes/n1', { methods => [ 'POST' ] });
    status_is($res, 200, 'PATCH a route of ns1');
    json_match($b, route_expect(id => any_string(), name => 'n1', paths => [ '/n1' ], methods => [ 'POST' ],
                                service => { id => $s1->{id} }), 'merged, still bound to ns1');
    my (undef, $before) = api_get('/routes/n3');
    expect('PATCH a route of another service', [ api_patch('/services/ns1/routes/n3', { methods => [ 'PUT' ] }) ],
           404, $NOT_FOUND);
    my (undef, $after) = api_get('/routes/n3');
    is_deeply($after, $before, 'other route unchanged');
};

subtest 'PUT /services/{s}/routes/{r} upserts bound to s' => sub {
    my ($st, $b, $res) = api_put('/services/ns2/routes/put-nested', { paths => [ '/pn' ] });
    status_is($res, 200, 'PUT creates: 200');
    json_match($b, route_expect(name => 'put-nested', paths => [ '/pn' ], service => { id => $s2->{id} }),
               'created with the name from the URL, bound to ns2');
    my $id = $b->{id};
    ($st, $b, $res) = api_put('/services/ns2/routes/put-nested', { hosts => [ 'pn.test' ] });
    status_is($res, 200, 'PUT replaces: 200');
    json_match($b, route_expect(id => $id, name => 'put-nested', hosts => [ 'pn.test' ], service => { id => $s2->{id} }),
               'replaced, paths back to null, still bound');
    expect('PUT under an absent service', [ api_put('/services/nope/routes/x', { paths => [ '/x' ] }) ], 404, $NOT_FOUND);
};

subtest 'DELETE /services/{s}/routes/{r}' => sub {
    expect('DELETE a route of another service', [ api_delete('/services/ns1/routes/put-nested') ], 404, $NOT_FOUND);
    is(sql_count(q{FROM routes WHERE name = 'put-nested'}), 1, 'still there');
    expect('DELETE a route of ns2', [ api_delete('/services/ns2/routes/put-nested') ], 204, '');
    is(sql_count(q{FROM routes WHERE name = 'put-nested'}), 0, 'deleted');
    # reference silent: the nested form looks the route up first, so an absent
    # route is 404 here (unlike the 204 of DELETE /routes/{r}).
    expect('DELETE an absent nested route', [ api_delete("/services/ns2/routes/$ABSENT_ID") ], 404, $NOT_FOUND);
};

subtest 'nested collection: unsupported methods' => sub {
    for my $m (qw(PUT PATCH DELETE)) {
        expect("$m /services/ns1/routes", [ api_request($m, '/services/ns1/routes', json => {}) ], 405, $NOT_ALLOWED);
    }
    expect('POST /services/ns1/routes/n1', [ api_post('/services/ns1/routes/n1', {}) ], 405, $NOT_ALLOWED);
};

subtest 'GET /routes/{r}/service' => sub {
    my ($st, $b) = api_get('/routes/n1/service');
    is($st, 200, 'by route name');
    my (undef, $svc) = api_get('/services/ns1');
    is_deeply($b, $svc, 'the service of the route');
    my (undef, $n1) = api_get('/routes/n1');
    ($st, $b) = api_get("/routes/$n1->{id}/service");
    is($st, 200, 'by route id');
    expect('route without service', [ api_get('/routes/orphan/service') ], 404, $NOT_FOUND);
    expect('absent route by id', [ api_get("/routes/$ABSENT_ID/service") ], 404, $NOT_FOUND);
    expect('absent route by name', [ api_get('/routes/nope/service') ], 404, $NOT_FOUND);
};

subtest 'PATCH /routes/{r}/service' => sub {
    my ($st, $b, $res) = api_patch('/routes/n1/service', { name => 'ns1-renamed', host => 'renamed.test', path => undef });
    status_is($res, 200, 'PATCH through the route');
    json_match($b, service_expect(id => $s1->{id}, name => 'ns1-renamed', host => 'renamed.test',
                                  created_at => $s1->{created_at}), 'service updated');
    ($st, $b) = api_patch('/routes/n1/service', { url => 'http://edited2.test:1234/foo' });
    is($st, 200, 'PATCH url through the route');
    json_match([ @{$b}{qw(protocol host port path)} ], [ 'http', 'edited2.test', 1234, '/foo' ], 'url applied');
    expect('PATCH with a wrong type', [ api_patch('/routes/n1/service', { connect_timeout => 'foobar' }) ], 400,
           { code => 2, name => 'schema violation',
             message => 'schema violation (connect_timeout: expected an integer)',
             fields => { connect_timeout => 'expected an integer' } });
    expect('route without service', [ api_patch('/routes/orphan/service', { retries => 1 }) ], 404, $NOT_FOUND);
    expect('absent route', [ api_patch("/routes/$ABSENT_ID/service", { retries => 1 }) ], 404, $NOT_FOUND);
    api_patch('/services/ns1-renamed', { name => 'ns1' });
};

subtest 'PUT /routes/{r}/service replaces the service' => sub {
    my ($st, $b, $res) = api_put('/routes/n1/service', { name => 'ns1', url => 'https://put.test/x' });
    status_is($res, 200, 'PUT through the route');
    json_match($b, service_expect(id => $s1->{id}, name => 'ns1', protocol => 'https', host => 'put.test',
                                  port => 443, path => '/x'), 'full replacement of the same service');
    expect('PUT invalid', [ api_put('/routes/n1/service', { connect_timeout => 'foobar' }) ], 400,
           { code => 2, name => 'schema violation',
             message => '2 schema violations (connect_timeout: expected an integer; host: required field missing)',
             fields => { connect_timeout => 'expected an integer', host => 'required field missing' } });
    expect('absent route', [ api_put("/routes/$ABSENT_ID/service", { host => 'x.test' }) ], 404, $NOT_FOUND);
};

subtest 'PUT /routes/{r}/service on a route without service creates and links one' => sub {
    my $before = sql_count('FROM services');
    my ($st, $b, $res) = api_put('/routes/orphan/service', { url => 'http://konghq.test' });
    status_is($res, 200, 'PUT creates the service: 200');
    json_match($b, service_expect(host => 'konghq.test'), 'new service');
    is(sql_count('FROM services'), $before + 1, 'one service added');
    my (undef, $r) = api_get('/routes/orphan');
    json_match($r->{service}, { id => $b->{id} }, 'route now references it');
};

subtest 'DELETE /routes/{r}/service' => sub {
    expect('route with a service', [ api_delete('/routes/n1/service') ], 405, $NOT_ALLOWED);
    is(sql_count("FROM services WHERE id = '$s1->{id}'"), 1, 'service not deleted');
    my (undef, $lonely) = api_post('/routes', { name => 'lonely', paths => [ '/lonely' ] });
    expect('route without a service', [ api_delete('/routes/lonely/service') ], 404, $NOT_FOUND);
    expect('absent route', [ api_delete("/routes/$ABSENT_ID/service") ], 404, $NOT_FOUND);
    expect('absent route by name', [ api_delete('/routes/in-existent-route/service') ], 404, $NOT_FOUND);
};

subtest 'OPTIONS on nested endpoints' => sub {
    my @cases = (
        [ '/services/ns1/routes',    'GET, HEAD, OPTIONS, POST' ],
        [ '/services/ns1/routes/n1', 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT' ],
        [ '/routes/n1/service',      'DELETE, GET, HEAD, OPTIONS, PATCH, PUT' ],
    );
    for my $c (@cases) {
        my ($st, undef, $res) = api_options($c->[0]);
        is($st, 204, "OPTIONS $c->[0] is 204");
        is($res->header('Allow'), $c->[1], "Allow on $c->[0]");
        is($res->header('Access-Control-Allow-Methods'), $c->[1], "Access-Control-Allow-Methods on $c->[0]");
    }
};

subtest 'nested endpoints with a UTF-8 service name' => sub {
    my (undef, $y) = api_post('/services', { name => '円', host => 'yen.test' });
    my ($st, $b) = api_post('/services/%E5%86%86/routes', { paths => [ '/yen' ] });
    is($st, 201, 'POST under /services/%E5%86%86');
    json_match($b->{service}, { id => $y->{id} }, 'bound to the UTF-8 service');
    my ($st2, $l) = api_get('/services/%E5%86%86/routes');
    is($st2, 200, 'GET under /services/%E5%86%86');
    is(scalar @{ $l->{data} }, 1, 'one route');
};

subtest 'deleting routes lets the service go' => sub {
    expect('service with routes', [ api_delete('/services/ns2') ], 400,
           { code => 4, name => 'foreign key violation',
             message => q{an existing 'routes' entity references this 'services' entity},
             fields => { '@referenced_by' => 'routes' } });
    expect('delete n3', [ api_delete('/services/ns2/routes/n3') ], 204, '');
    expect('now the service', [ api_delete('/services/ns2') ], 204, '');
};
