# /routes CRUD and route validation (kong-behaviour.md §1.3, §1.4, §1.6, §2.2).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 18, need_lwp;

reset_db();

my $NOT_FOUND   = { message => 'Not found' };
my $NOT_ALLOWED = { message => 'Method not allowed' };
my $MUST_HTTPS  = q{must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'};
my $MUST_HTTP   = q{must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'};
my $PROTOCOLS   = 'expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp';

sub violation {
    my ($message, $fields) = @_;
    return { code => 2, name => 'schema violation', message => $message, fields => $fields };
}

my (undef, $svc)  = api_post('/services', { name => 'svc', host => 'svc.test' });
my (undef, $svc2) = api_post('/services', { name => 'svc2', host => 'svc2.test' });

subtest 'POST creates a route with every default' => sub {
    my ($st, $b, $res) = api_post('/routes', { paths => [ '/r1' ] });
    status_is($res, 201, 'POST /routes is 201');
    json_match($b, route_expect(paths => [ '/r1' ]), 'all fields, defaults and nulls; service null');
    is($b->{created_at}, $b->{updated_at}, 'created_at == updated_at on insert');
    my ($s2, $g) = api_get("/routes/$b->{id}");
    is($s2, 200, 'GET by id');
    is_deeply($g, $b, 'stored as returned');
};

subtest 'service references by id and by name' => sub {
    my ($st, $b, $res) = api_post('/routes', { hosts => [ 'byid.test' ], service => { id => $svc->{id} } });
    status_is($res, 201, 'service by id');
    json_match($b, route_expect(hosts => [ 'byid.test' ], service => { id => $svc->{id} }), 'service is {id}');

    ($st, $b, $res) = api_post('/routes', { hosts => [ 'byname.test' ], service => { name => 'svc' } });
    status_is($res, 201, 'service by name');
    json_match($b, route_expect(hosts => [ 'byname.test' ], service => { id => $svc->{id} }),
               'resolved server-side; responses carry only the id');
};

subtest 'POST with every settable field' => sub {
    my $in = {
        name => 'full-route', protocols => [ 'https' ], methods => [ 'GET', 'POST', 'PATCH' ],
        hosts => [ 'a.test', '*.wild.test', 'wild.*', 'port.test:8080' ],
        paths => [ '/x', '~/api/v\d+$' ],
        headers => { 'x-version' => [ 'v1', 'v2' ], 'x-re' => [ '~*^abc$' ] },
        snis => [ 'a.test', 'b.test' ],
        https_redirect_status_code => 301, regex_priority => 5, strip_path => jfalse(),
        preserve_host => jtrue(), path_handling => 'v1', request_buffering => jfalse(),
        response_buffering => jfalse(), tags => [ 't1', 't2' ], service => { id => $svc->{id} },
    };
    my ($st, $b, $res) = api_post('/routes', $in);
    status_is($res, 201, 'created');
    json_match($b, route_expect(%$in), 'every field echoed, order of arrays kept');
    my (undef, $g) = api_get('/routes/full-route');
    json_match($g, route_expect(%$in), 'stored as given');
};

subtest 'protocol-specific defaults and stream routes' => sub {
    my ($st, $b, $res) = api_post('/routes', { protocols => [ 'grpc', 'grpcs' ], hosts => [ 'grpc.test' ] });
    status_is($res, 201, 'grpc route');
    json_match($b, route_expect(protocols => [ 'grpc', 'grpcs' ], hosts => [ 'grpc.test' ],
                                strip_path => jfalse()), 'grpc routes default strip_path to false');

    ($st, $b, $res) = api_post('/routes', { protocols => [ 'tcp' ],
                                            sources => [ { ip => '10.0.0.1', port => 1234 } ],
                                            destinations => [ { ip => '10.1.1.1' } ] });
    status_is($res, 201, 'tcp route');
    # reference silent: a record member that was not given is serialised as null
    # (Kong reads with nulls = true).
    json_match($b, route_expect(protocols => [ 'tcp' ],
                                sources => [ { ip => '10.0.0.1', port => 1234 } ],
                                destinations => [ { ip => '10.1.1.1', port => undef } ]),
               'sources and destinations echoed');

    ($st, $b, $res) = api_post('/routes', { protocols => [ 'tcp', 'tls' ],
                                            sources => [ { ip => '10.0.0.0/8' }, { port => 99 } ],
                                            destinations => [ { ip => '2001:db8::/32', port => 443 } ] });
    status_is($res, 201, 'CIDR sources and destinations (reference: "ip or CIDR")');
    json_match($b && $b->{sources}, [ { ip => '10.0.0.0/8', port => undef }, { ip => undef, port => 99 } ],
               'CIDR source kept');

    ($st, $b, $res) = api_post('/routes', { protocols => [ 'https' ], snis => [ '*.sni.test', 'sni.*' ] });
    status_is($res, 201, 'wildcard snis (reference: allowed in compat)');
    json_match($b && $b->{snis}, [ '*.sni.test', 'sni.*' ], 'wildcard snis kept');

    ($st, $b, $res) = api_post('/routes', { protocols => [ 'tls_passthrough' ], snis => [ 'pt.test' ] });
    status_is($res, 201, 'tls_passthrough route with snis');
    json_match($b->{snis}, [ 'pt.test' ], 'snis kept');
};

subtest 'route name uniqueness and UTF-8 names' => sub {
    my ($st, $b) = api_post('/routes', { name => 'dup', paths => [ '/dup' ] });
    is($st, 201, 'first route named dup');
    expect('second route named dup', [ api_post('/routes', { name => 'dup', paths => [ '/dup2' ] }) ], 409,
           { code => 5, name => 'unique constraint violation',
             message => q{UNIQUE violation detected on '{name="dup"}'}, fields => { name => 'dup' } });
    is(sql_count(q{FROM routes WHERE '/dup2' = ANY(paths)}), 0, 'nothing stored');

    my ($s2, $u) = api_post('/routes', { name => '円', methods => [ 'GET' ] });
    is($s2, 201, 'UTF-8 route name');
    my ($s3, $g) = api_get('/routes/%E5%86%86');
    is($s3, 200, 'GET /routes/%E5%86%86');
    is($g->{id}, $u->{id}, 'same route');
};

subtest 'foreign key errors' => sub {
    my $before = sql_count('FROM routes');
    expect('service.name that does not exist',
           [ api_post('/routes', { methods => [ 'GET' ], service => { name => 'non-existing' } }) ], 400,
           { code => 13, name => 'foreign keys unresolved',
             message => q{foreign key unresolved (service.name: the foreign key cannot be resolved with '{name="non-existing"}' for an existing 'services' entity)},
             fields => { service => { name => q{the foreign key cannot be resolved with '{name="non-existing"}' for an existing 'services' entity} } } });
    my $ghost = 'a7f0c4e1-3b2d-4c5e-8f9a-0b1c2d3e4f5a';
    expect('service.id that does not exist',
           [ api_post('/routes', { methods => [ 'GET' ], service => { id => $ghost } }) ], 400,
           { code => 4, name => 'foreign key violation',
             message => qq{the foreign key '{id="$ghost"}' does not reference an existing 'services' entity.},
             fields => { service => { id => $ghost } } });
    # these two are from Kong's admin API spec (09-routes_routes_spec): members
    # other than the primary key are not reported when the key is missing.
    expect('service without a key', [ api_post('/routes', { methods => [ 'GET' ], service => { protocol => 'http' } }) ], 400,
           violation('schema violation (service.id: missing primary key)', { service => { id => 'missing primary key' } }));
    expect('service.name null', [ api_post('/routes', { methods => [ 'GET' ], service => { name => undef } }) ], 400,
           violation('schema violation (service.id: missing primary key)', { service => { id => 'missing primary key' } }));
    # reference silent on the exact shape; the foreign record is validated with the
    # services schema, so the id gets the uuid message.
    expect('service.id not a UUID', [ api_post('/routes', { methods => [ 'GET' ], service => { id => 'nope' } }) ], 400,
           violation('schema violation (service.id: expected a valid UUID)', { service => { id => 'expected a valid UUID' } }));
    is(sql_count('FROM routes'), $before, 'nothing stored');
};

subtest 'entity checks by protocol' => sub {
    my $before = sql_count('FROM routes');
    my @cases = (
        [ 'empty body (default protocols include https)', {},
          "schema violation ($MUST_HTTPS)", { '@entity' => [ $MUST_HTTPS ] } ],
        [ 'https only, nothing to match', { protocols => [ 'https' ] },
          "schema violation ($MUST_HTTPS)", { '@entity' => [ $MUST_HTTPS ] } ],
        [ 'http only, nothing to match', { protocols => [ 'http' ] },
          "schema violation ($MUST_HTTP)", { '@entity' => [ $MUST_HTTP ] } ],
        [ 'grpc(s), nothing to match', { protocols => [ 'grpc', 'grpcs' ] },
          q{schema violation (must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs')},
          { '@entity' => [ q{must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'} ] } ],
        # field-level "cannot set" errors are reported under the field itself,
        # as in Kong's admin API spec (fields.strip_path, fields.methods)
        [ 'grpc with strip_path', { protocols => [ 'grpc', 'grpcs' ], paths => [ '/' ], strip_path => jtrue() },
          q{schema violation (strip_path: cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs')},
          { strip_path => q{cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'} } ],
        [ 'grpc with methods', { protocols => [ 'grpc', 'grpcs' ], paths => [ '/' ], methods => [ 'GET' ] },
          q{schema violation (methods: cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs')},
          { methods => q{cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'} } ],
        [ 'http with sources', { protocols => [ 'http' ], paths => [ '/s' ], sources => [ { ip => '10.0.0.1' } ] },
          q{schema violation (sources: cannot set 'sources' when 'protocols' is 'http' or 'https')},
          { sources => q{cannot set 'sources' when 'protocols' is 'http' or 'https'} } ],
        [ 'https with destinations', { paths => [ '/d' ], destinations => [ { port => 80 } ] },
          q{schema violation (destinations: cannot set 'destinations' when 'protocols' is 'http' or 'https')},
          { destinations => q{cannot set 'destinations' when 'protocols' is 'http' or 'https'} } ],
        [ 'tcp with methods', { protocols => [ 'tcp' ], sources => [ { ip => '10.0.0.1' } ], methods => [ 'GET' ] },
          q{schema violation (methods: cannot set 'methods' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp')},
          { methods => q{cannot set 'methods' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'} } ],
        [ 'tcp, nothing to match', { protocols => [ 'tcp' ] },
          q{schema violation (must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp')},
          { '@entity' => [ q{must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'} ] } ],
        [ 'tls_passthrough without snis', { protocols => [ 'tls_passthrough' ] },
          q{schema violation (must set snis when 'protocols' is 'tls_passthrough')},
          { '@entity' => [ q{must set snis when 'protocols' is 'tls_passthrough'} ] } ],
        # reference gives the @entity text; Kong's routes schema spec also reports
        # snis itself with "length must be 0"
        [ 'snis with http only', { protocols => [ 'http' ], paths => [ '/sni' ], snis => [ 'a.test' ] },
          q{2 schema violations ('snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'; snis: length must be 0)},
          { '@entity' => [ q{'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'} ],
            snis => 'length must be 0' } ],
    );
    for my $c (@cases) {
        expect($c->[0], [ api_post('/routes', $c->[1]) ], 400, violation($c->[2], $c->[3]));
    }
    is(sql_count('FROM routes'), $before, 'nothing stored');
};

subtest 'protocols field' => sub {
    expect('unknown protocol', [ api_post('/routes', { methods => [ 'GET' ], protocols => [ 'foo', 'http' ] }) ], 400,
           violation("schema violation (protocols.1: $PROTOCOLS)", { protocols => [ $PROTOCOLS ] }));
    my ($st, $b) = api_post('/routes', { paths => [ '/mix' ], protocols => [ 'http', 'tcp' ] });
    is($st, 400, 'http and tcp cannot be mixed');
    is($b && $b->{code}, 2, 'schema violation');
    # only the protocols entry is asserted: other entries depend on the subschema
    # chosen.  Kong names only the sets involved (routes schema spec).
    is($b && $b->{fields}{protocols}, q{these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')},
       'mutually exclusive sets message');
    ($st, $b) = api_post('/routes', { paths => [ '/none' ], protocols => [] });
    is($st, 400, 'empty protocols rejected');
    is($b && $b->{fields}{protocols}, 'length must be at least 1', 'min 1 protocol');
};

subtest 'paths, hosts, headers, methods and other field rules' => sub {
    my $before = sql_count('FROM routes');
    my $start = 'should start with: / (fixed path) or ~/ (regex path)';
    my @cases = (
        [ 'path without a leading slash', { paths => [ 'foo' ] },
          "schema violation (paths.1: $start)", { paths => [ $start ] } ],
        [ 'empty path', { paths => [ '' ] },
          'schema violation (paths.1: length must be at least 1)', { paths => [ 'length must be at least 1' ] } ],
        [ 'empty path segment', { paths => [ '/a//b' ] },
          'schema violation (paths.1: must not have empty segments)', { paths => [ 'must not have empty segments' ] } ],
        [ 'non-normalized prefix path', { paths => [ '/a/../b' ] },
          q{schema violation (paths.1: non-normalized path, consider use '/b' instead)},
          { paths => [ q{non-normalized path, consider use '/b' instead} ] } ],
        [ 'bad percent-encoding in a path', { paths => [ '/some%2Gwords' ] },
          q{schema violation (paths.1: invalid url-encoded value: '%2G')},
          { paths => [ q{invalid url-encoded value: '%2G'} ] } ],
        [ 'two wildcards in a host', { hosts => [ '*.example.*' ] },
          'schema violation (hosts.1: invalid wildcard: must have at most one wildcard)',
          { hosts => [ 'invalid wildcard: must have at most one wildcard' ] } ],
        [ 'wildcard in the middle', { hosts => [ 'foo.*.com' ] },
          'schema violation (hosts.1: invalid wildcard: must be placed at leftmost or rightmost label)',
          { hosts => [ 'invalid wildcard: must be placed at leftmost or rightmost label' ] } ],
        [ 'Host header', { headers => { Host => [ 'x.test' ] } },
          q{schema violation (headers: cannot contain 'host' header, which must be specified in the 'hosts' attribute)},
          { headers => q{cannot contain 'host' header, which must be specified in the 'hosts' attribute} } ],
        [ 'host header, lower case', { headers => { host => [ 'x.test' ] } },
          q{schema violation (headers: cannot contain 'host' header, which must be specified in the 'hosts' attribute)},
          { headers => q{cannot contain 'host' header, which must be specified in the 'hosts' attribute} } ],
        [ 'lower-case method', { methods => [ 'get' ] },
          'schema violation (methods.1: invalid value: get)', { methods => [ 'invalid value: get' ] } ],
        [ 'redirect status', { paths => [ '/r' ], https_redirect_status_code => 400 },
          'schema violation (https_redirect_status_code: expected one of: 426, 301, 302, 307, 308)',
          { https_redirect_status_code => 'expected one of: 426, 301, 302, 307, 308' } ],
        [ 'path_handling', { paths => [ '/r' ], path_handling => 'v2' },
          'schema violation (path_handling: expected one of: v0, v1)', { path_handling => 'expected one of: v0, v1' } ],
        [ 'regex_priority type', { paths => [ '/r' ], regex_priority => 'foobar' },
          'schema violation (regex_priority: expected an integer)', { regex_priority => 'expected an integer' } ],
        [ 'route name charset', { name => 'my route', paths => [ '/r' ] },
          q{schema violation (name: invalid value 'my route': the only accepted ascii characters are alphanumerics or ., -, _, and ~)},
          { name => q{invalid value 'my route': the only accepted ascii characters are alphanumerics or ., -, _, and ~} } ],
    );
    for my $c (@cases) {
        expect($c->[0], [ api_post('/routes', $c->[1]) ], 400, violation($c->[2], $c->[3]));
    }

    my ($st, $b) = api_post('/routes', { paths => [ '~/users/(foo' ] });
    is($st, 400, 'uncompilable regex path rejected');
    is($b && $b->{code}, 2, 'schema violation');
    like($b && $b->{fields}{paths}[0], qr{\Ainvalid regex: '/users/\(foo' \(PCRE returned: .+\)\z},
         'invalid regex message (engine text after "PCRE returned:" not asserted)');
    like($b && $b->{message}, qr{\Aschema violation \(paths\.1: invalid regex: '/users/\(foo' \(PCRE returned: },
         'message names paths.1');
    is(sql_count('FROM routes'), $before, 'nothing stored');
};

subtest 'GET of an absent route is 404' => sub {
    expect('unknown id', [ api_get('/routes/3d3c5e9a-1b2c-4d5e-8f70-a1b2c3d4e5f6') ], 404, $NOT_FOUND);
    expect('unknown name', [ api_get('/routes/not-found') ], 404, $NOT_FOUND);
};

subtest 'PUT upserts by id and by name' => sub {
    my $id = '5b2c1a0d-7e6f-4a3b-9c8d-e7f6a5b4c3d2';
    my ($st, $b, $res) = api_put("/routes/$id", { paths => [ '/updated-paths' ], service => { id => $svc->{id} } });
    status_is($res, 200, 'PUT by id that creates is 200');
    json_match($b, route_expect(id => $id, paths => [ '/updated-paths' ], service => { id => $svc->{id} }),
               'created with the URL id');

    ($st, $b, $res) = api_put("/routes/$id", { hosts => [ 'put.test' ] });
    status_is($res, 200, 'PUT by id that replaces is 200');
    json_match($b, route_expect(id => $id, hosts => [ 'put.test' ]),
               'full replacement: paths and service back to null');

    ($st, $b, $res) = api_put('/routes/my-put-route', { name => 'ignored', paths => [ '/p' ] });
    status_is($res, 200, 'PUT by name that creates is 200');
    json_match($b, route_expect(name => 'my-put-route', paths => [ '/p' ]), 'name forced from the URL');
    my $rid = $b->{id};
    ($st, $b) = api_put('/routes/my-put-route', { methods => [ 'GET' ] });
    is($st, 200, 'PUT by name again');
    is($b->{id}, $rid, 'same route updated');
    json_match($b, route_expect(id => $rid, name => 'my-put-route', methods => [ 'GET' ]), 'replaced');

    expect('PUT with nothing to match', [ api_put('/routes/c0ffee00-1111-4222-8333-444455556666', {}) ], 400,
           violation("schema violation ($MUST_HTTPS)", { '@entity' => [ $MUST_HTTPS ] }));
    expect('PUT with a wrong type', [ api_put("/routes/$id", { paths => [ '/' ], regex_priority => 'foobar' }) ], 400,
           violation('schema violation (regex_priority: expected an integer)', { regex_priority => 'expected an integer' }));
    expect('PUT malformed JSON', [ api_put("/routes/$id", raw => '{"hello": "world"', type => 'application/json') ],
           400, { message => 'Cannot parse JSON body' });
};

subtest 'PATCH merges; arrays replaced; empty arrays kept' => sub {
    my (undef, $r) = api_post('/routes', { name => 'patch-route', paths => [ '/a', '/b' ], methods => [ 'GET' ],
                                           hosts => [ 'h.test' ], service => { id => $svc->{id} },
                                           headers => { 'x-a' => [ '1' ] } });
    my ($st, $b, $res) = api_patch('/routes/patch-route', { paths => [ '/c' ], methods => undef });
    status_is($res, 200, 'PATCH is 200');
    json_match($b, route_expect(id => $r->{id}, name => 'patch-route', paths => [ '/c' ], methods => undef,
                                hosts => [ 'h.test' ], service => { id => $svc->{id} },
                                headers => { 'x-a' => [ '1' ] }, created_at => $r->{created_at}),
               'paths replaced, methods cleared, the rest untouched');

    ($st, $b, $res) = api_patch("/routes/$r->{id}", { methods => [], paths => [], hosts => [ 'h2.test' ] });
    status_is($res, 200, 'PATCH with empty arrays');
    like($res->content, qr/"methods"\s*:\s*\[\s*\]/, 'methods serialised as []');
    like($res->content, qr/"paths"\s*:\s*\[\s*\]/, 'paths serialised as []');
    json_match($b->{hosts}, [ 'h2.test' ], 'hosts replaced');

    # reference silent on maps: Kong merges only records, so a map is replaced whole
    ($st, $b) = api_patch("/routes/$r->{id}", { headers => { 'x-b' => [ '2' ] } });
    is($st, 200, 'PATCH headers');
    json_match($b->{headers}, { 'x-b' => [ '2' ] }, 'headers map replaced');

    ($st, $b) = api_patch('/routes/patch-route', { service => undef });
    is($st, 200, 'PATCH service to null');
    ok(exists $b->{service} && !defined $b->{service}, 'service association removed');

    ($st, $b) = api_patch('/routes/patch-route', { service => { name => 'svc2' } });
    is($st, 200, 'PATCH service by name');
    json_match($b->{service}, { id => $svc2->{id} }, 'moved to svc2');

    ($st, $b) = api_patch('/routes/patch-route', { strip_path => jfalse(), preserve_host => jtrue() });
    is($st, 200, 'PATCH booleans');
    ok(JSON::PP::is_bool($b->{strip_path}) && !$b->{strip_path}, 'strip_path false');
    ok(JSON::PP::is_bool($b->{preserve_host}) && $b->{preserve_host}, 'preserve_host true');
};

subtest 'PATCH errors' => sub {
    my (undef, $before) = api_get('/routes/patch-route');
    expect('PATCH absent id', [ api_patch('/routes/3d3c5e9a-1b2c-4d5e-8f70-a1b2c3d4e5f6', { paths => [ '/x' ] }) ],
           404, $NOT_FOUND);
    expect('PATCH absent name', [ api_patch('/routes/absent-route', { paths => [ '/x' ] }) ], 404, $NOT_FOUND);
    expect('PATCH with a wrong type', [ api_patch('/routes/patch-route', { regex_priority => 'foobar' }) ], 400,
           violation('schema violation (regex_priority: expected an integer)', { regex_priority => 'expected an integer' }));
    expect('PATCH to a taken name', [ api_patch('/routes/patch-route', { name => 'dup' }) ], 409,
           { code => 5, name => 'unique constraint violation',
             message => q{UNIQUE violation detected on '{name="dup"}'}, fields => { name => 'dup' } });
    expect('PATCH leaving nothing to match', [ api_patch('/routes/patch-route', { paths => undef, hosts => undef, headers => undef }) ], 400,
           violation("schema violation ($MUST_HTTPS)", { '@entity' => [ $MUST_HTTPS ] }));
    my (undef, $after) = api_get('/routes/patch-route');
    is_deeply($after, $before, 'failed PATCHes changed nothing');
};

subtest 'DELETE is 204, also when absent' => sub {
    my (undef, $r) = api_post('/routes', { name => 'del-route', paths => [ '/del' ] });
    expect('DELETE by name', [ api_delete('/routes/del-route') ], 204, '');
    expect('gone', [ api_get("/routes/$r->{id}") ], 404, $NOT_FOUND);
    (undef, $r) = api_post('/routes', { paths => [ '/del2' ] });
    expect('DELETE by id', [ api_delete("/routes/$r->{id}") ], 204, '');
    expect('gone by id', [ api_get("/routes/$r->{id}") ], 404, $NOT_FOUND);
    expect('DELETE absent id', [ api_delete('/routes/3d3c5e9a-1b2c-4d5e-8f70-a1b2c3d4e5f6') ], 204, '');
    expect('DELETE absent name', [ api_delete('/routes/never-existed') ], 204, '');
};

subtest 'collection methods' => sub {
    for my $m (qw(PUT PATCH DELETE)) {
        expect("$m /routes", [ api_request($m, '/routes', json => {}) ], 405, $NOT_ALLOWED);
    }
    expect('POST /routes/{id}', [ api_post('/routes/dup', { paths => [ '/x' ] }) ], 405, $NOT_ALLOWED);
};

subtest 'POST malformed JSON' => sub {
    my ($st, $b, $res) = api_post('/routes', raw => '{"hello": "world"', type => 'application/json');
    status_is($res, 400, 'malformed JSON is 400');
    is($res->content, '{"message":"Cannot parse JSON body"}', 'body is exactly the Kong text');
};

subtest 'stored rows keep Kong column layout' => sub {
    my ($st) = api_post('/routes', { name => 'row-route', protocols => [ 'https' ], paths => [ '/x', '~/api/v\d+$' ],
                                     service => { id => $svc->{id} }, strip_path => jfalse(), regex_priority => 5,
                                     path_handling => 'v1', https_redirect_status_code => 301,
                                     headers => { 'x-version' => [ 'v1', 'v2' ], 'x-re' => [ '~*^abc$' ] } });
    is($st, 201, 'route created');
    my ($row) = sql_lines(q{coalesce(name, '') || '|' || array_to_string(protocols, ',') || '|' ||
                            array_to_string(paths, ',') || '|' || coalesce(service_id::text, 'null') || '|' ||
                            strip_path::text || '|' || regex_priority || '|' || path_handling || '|' ||
                            https_redirect_status_code},
                          q{FROM routes WHERE name = 'row-route'});
    is($row, "row-route|https|/x,~/api/v\\d+\$|$svc->{id}|false|5|v1|301", 'routes row');
    my ($hdr) = sql_lines(q{headers::text}, q{FROM routes WHERE name = 'row-route'});
    my $h = json_dec($hdr);
    json_match($h, { 'x-version' => [ 'v1', 'v2' ], 'x-re' => [ '~*^abc$' ] }, 'headers stored as a jsonb map');
};

subtest 'list of routes contains what was created' => sub {
    my ($st, $b) = api_get('/routes?size=1000');
    is($st, 200, 'GET /routes');
    my $n = sql_count('FROM routes');
    is(scalar @{ $b->{data} }, $n, 'every row listed');
    my @ids = map { $_->{id} } @{ $b->{data} };
    is_deeply(\@ids, [ sort @ids ], 'ordered by id');
    ok(!defined $b->{next}, 'single page');
};
