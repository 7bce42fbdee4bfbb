# /plugins (kong-behaviour.md §1.7, §2.4, §4): plugins global or scoped to
# any combination of service, route and consumer; config validated
# against the plugin's own schema with its defaults filled in; one
# instance per name and scope with Kong's 409; nested endpoints; the
# plugin schemas and lists.
use strict;
use warnings;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 14, need_lwp;

reset_db();

my (undef, $svc)   = api_post('/services', { name => 'ps', host => 'up.test' });
my (undef, $route) = api_post('/services/ps/routes', { name => 'pr', paths => ['/p'] });
my (undef, $alice) = api_post('/consumers', { username => 'alice' });

my $NOT_ENABLED = "plugin 'nope' not enabled; add it to the 'plugins' configuration property";

sub violation {
    my ($msg, $fields) = @_;
    return { code => 2, name => 'schema violation', message => "schema violation ($msg)", fields => $fields };
}

my $global;

subtest 'a global plugin with its config defaults' => sub {
    my ($st, $b) = api_post('/plugins', { name => 'key-auth', tags => ['g'] });
    is($st, 201, '201') or diag(json_enc($b));
    json_match($b, {
        id => any_uuid(), created_at => any_ts(), updated_at => any_ts(), name => 'key-auth',
        instance_name => undef, route => undef, service => undef, consumer => undef,
        protocols => [ 'grpc', 'grpcs', 'http', 'https' ], enabled => jtrue(), tags => ['g'],
        config => { key_names => ['apikey'], hide_credentials => jfalse(), anonymous => undef,
                    key_in_header => jtrue(), key_in_query => jtrue(), key_in_body => jfalse(),
                    run_on_preflight => jtrue(), realm => undef } }, 'every config field, defaults filled');
    $global = $b;
    ($st, $b) = api_get("/plugins/$global->{id}");
    is_deeply($b->{config}, $global->{config}, 'read back');
};

subtest 'scopes: service, route, consumer and their combination' => sub {
    my ($st, $b) = api_post('/services/ps/plugins', { name => 'rate-limiting', config => { minute => 10 } });
    is($st, 201, 'nested under a service');
    is($b->{service}{id}, $svc->{id}, 'scoped to it');
    is($b->{config}{policy}, 'local', 'rate-limiting defaults: policy local');
    is($b->{config}{limit_by}, 'consumer', 'limit_by consumer');
    ($st, $b) = api_post('/routes/pr/plugins', { name => 'cors' });
    is($st, 201, 'nested under a route');
    is($b->{route}{id}, $route->{id}, 'scoped to it');
    ($st, $b) = api_post('/consumers/alice/plugins', { name => 'request-transformer' });
    is($st, 201, 'nested under a consumer');
    is($b->{consumer}{id}, $alice->{id}, 'scoped to it');
    ($st, $b) = api_post('/plugins', { name => 'rate-limiting', service => { id => $svc->{id} },
                                       route => { name => 'pr' }, consumer => { username => 'alice' },
                                       config => { second => 5 } });
    is($st, 201, 'service + route + consumer at once, references by name');
    ok($b->{service}{id} && $b->{route}{id} && $b->{consumer}{id}, 'all three set');
    ($st, $b) = api_get('/services/ps/plugins');
    is(scalar @{ $b->{data} }, 2, '/services/{s}/plugins lists both of its plugins');
    ($st, $b) = api_get('/consumers/alice/plugins');
    is(scalar @{ $b->{data} }, 2, '/consumers/{c}/plugins');
    ($st, $b) = api_get('/routes/pr/plugins');
    is(scalar @{ $b->{data} }, 2, '/routes/{r}/plugins');
};

subtest 'one instance per name and scope: 409 with the cache key' => sub {
    my ($st, $b) = api_post('/plugins', { name => 'key-auth' });
    is($st, 409, 'a second global key-auth');
    json_match($b, { code => 5, name => 'unique constraint violation',
                     message => q{UNIQUE violation detected on '{consumer=null,name="key-auth",route=null,service=null}'},
                     fields => { consumer => undef, name => 'key-auth', route => undef, service => undef } },
               "Kong's body, nulls included");
    ($st, $b) = api_post('/services/ps/plugins', { name => 'rate-limiting', config => { hour => 100 } });
    is($st, 409, 'a second rate-limiting on the service');
    is($b->{message}, qq{UNIQUE violation detected on '{consumer=null,name="rate-limiting",route=null,service={id="$svc->{id}"}}'},
       'names the service');
    ($st, $b) = api_post('/routes/pr/plugins', { name => 'key-auth' });
    is($st, 201, 'the same plugin on another scope is fine');
};

subtest 'validation against the plugin schema' => sub {
    expect('unknown plugin', [ api_post('/plugins', { name => 'nope' }) ], 400,
           violation("name: $NOT_ENABLED", { name => $NOT_ENABLED }));
    expect('no name', [ api_post('/plugins', {}) ], 400,
           violation('name: required field missing', { name => 'required field missing' }));
    expect('unknown config field', [ api_post('/plugins', { name => 'cors', config => { bogus => 1 } }) ], 400,
           violation('config.bogus: unknown field', { config => { bogus => 'unknown field' } }));
    expect('a consumer where the plugin allows none',
           [ api_post('/plugins', { name => 'key-auth', consumer => { id => $alice->{id} } }) ], 400,
           violation('consumer: value must be null', { consumer => 'value must be null' }));
    my ($st, $b) = api_post('/plugins', { name => 'acl', config => { allow => ['a'], deny => ['b'] } });
    is($st, 400, 'acl: allow and deny');
    is($b->{message}, q{schema violation (exactly one of these fields must be non-empty: 'config.allow', 'config.deny')},
       "Kong's entity-check message");
    ($st, $b) = api_post('/plugins', { name => 'rate-limiting', config => { minute => 10, hour => 5 } });
    is($st, 400, 'rate-limiting: an hour below a minute');
    like($b->{message}, qr/The limit for hour\(5(\.0)?\) cannot be lower than the limit for minute\(10(\.0)?\)/,
         "Kong's message");
    ($st, $b) = api_post('/plugins', { name => 'ip-restriction', config => { allow => ['not-an-ip'] } });
    is($st, 400, 'ip-restriction: a bad address');
    ($st, $b) = api_post('/plugins', { name => 'request-termination', config => { status_code => 99 } });
    is($st, 400, 'request-termination: status 99');
    is($b->{fields}{config}{status_code}, 'value should be between 100 and 599', 'range message');
    ($st, $b) = api_post('/plugins', { name => 'cors', protocols => ['ftp'] });
    is($st, 400, 'a protocol that does not exist');
};

subtest 'a plugin must be able to run on its route' => sub {
    my (undef, $grpc) = api_post('/services/ps/routes', { name => 'grpc-only', protocols => ['grpc'], paths => ['/g'] });
    my ($st, $b) = api_post('/routes/grpc-only/plugins', { name => 'cors', protocols => ['http'] });
    expect('protocols that miss the route', [ $st, $b ], 400,
           violation(q{protocols: must match the associated route's protocols},
                     { protocols => q{must match the associated route's protocols} }));
    api_delete('/routes/grpc-only');
};

subtest 'PATCH merges config, PUT replaces, by id or instance_name' => sub {
    my ($st, $b) = api_patch("/plugins/$global->{id}", { config => { hide_credentials => jtrue() } });
    is($st, 200, 'PATCH');
    is($b->{config}{hide_credentials}, jtrue(), 'the member changed');
    is_deeply($b->{config}{key_names}, ['apikey'], 'the others kept');
    ($st, $b) = api_patch("/plugins/$global->{id}", { config => { key_names => ['bad name'] } });
    is($st, 400, 'and re-validated') or diag(json_enc($b));
    ($st, $b) = api_put('/plugins/my-cors', { name => 'cors', service => { id => $svc->{id} },
                                              config => { origins => ['http://a.test'] } });
    is($st, 200, 'PUT by instance_name creates');
    is($b->{instance_name}, 'my-cors', 'with that instance_name');
    my $id = $b->{id};
    ($st, $b) = api_put('/plugins/my-cors', { name => 'cors', service => { id => $svc->{id} } });
    is($b->{id}, $id, 'PUT again: the same plugin');
    is_deeply($b->{config}{origins}, undef, 'replaced whole: config back to defaults');
    ($st, $b) = api_get('/plugins/my-cors');
    is($b->{id}, $id, 'GET by instance_name');
    ($st, $b) = api_patch('/plugins/my-cors', { enabled => jfalse() });
    is($b->{enabled}, jfalse(), 'disabled');
};

subtest 'form bodies are typed by the plugin they name' => sub {
    my ($st, $b) = api_request('POST', '/plugins', form => [ name => 'request-size-limiting',
        'config.allowed_payload_size' => '10', 'config.require_content_length' => 'true' ]);
    is($st, 201, '201') or diag(json_enc($b));
    is($b->{config}{allowed_payload_size}, 10, 'a number');
    is($b->{config}{require_content_length}, jtrue(), 'a boolean');
    is($b->{config}{size_unit}, 'megabytes', 'defaults');
};

subtest 'pagination and tags' => sub {
    my ($st, $b) = api_get('/plugins?size=2');
    is(scalar @{ $b->{data} }, 2, 'a page of two');
    ok($b->{offset}, 'an offset');
    my $n = 2;
    while ($b->{next}) {
        ($st, $b) = api_get($b->{next});
        $n += scalar @{ $b->{data} };
    }
    my (undef, $all) = api_get('/plugins?size=1000');
    is($n, scalar @{ $all->{data} }, 'pages add up to the whole list');
    ($st, $b) = api_get('/plugins?tags=g');
    is_deeply([ map { $_->{id} } @{ $b->{data} } ], [ $global->{id} ], 'by tag');
};

subtest 'deleting a scope deletes its plugins' => sub {
    my (undef, $before) = api_get('/plugins?size=1000');
    my ($st) = api_delete('/consumers/alice');
    is($st, 204, 'delete the consumer');
    my (undef, $after) = api_get('/plugins?size=1000');
    is(scalar @{ $after->{data} }, scalar @{ $before->{data} } - 2, 'its two plugins went with it');
    ($st) = api_delete('/services/ps');
    is($st, 400, 'a service with routes cannot go') ;
    api_delete('/routes/pr');
    ($st) = api_delete('/services/ps');
    is($st, 204, 'without routes it can');
    my (undef, $left) = api_get('/plugins?size=1000');
    is_deeply([ sort map { $_->{name} } @{ $left->{data} } ], [ 'key-auth', 'request-size-limiting' ],
              'only the global plugins are left');
    ($st) = api_delete("/plugins/$global->{id}");
    is($st, 204, 'DELETE a plugin');
};

subtest '/plugins/enabled and GET /' => sub {
    my ($st, $b) = api_get('/plugins/enabled');
    is($st, 200, '200');
    my @want = sort qw(key-auth basic-auth jwt hmac-auth acl ip-restriction cors rate-limiting
                       request-size-limiting request-termination request-transformer
                       response-transformer correlation-id bot-detection proxy-cache file-log
                       http-log prometheus);
    is_deeply($b->{enabled_plugins}, \@want, 'the 18 plugins, sorted');
    api_post('/plugins', { name => 'correlation-id' });
    ($st, $b) = api_get('/');
    is_deeply($b->{plugins}{available_on_server}{'key-auth'}, { version => '3.10.0', priority => 1250 },
              'available_on_server with version and priority');
    is($b->{plugins}{available_on_server}{'correlation-id'}{priority}, 100001, 'Kong priorities');
    is_deeply($b->{plugins}{enabled_in_cluster}, [ 'correlation-id', 'request-size-limiting' ],
              'enabled_in_cluster: the names stored, sorted');
};

subtest 'plugin schemas' => sub {
    my ($st, $b) = api_get('/schemas/plugins/rate-limiting');
    is($st, 200, '/schemas/plugins/{name}');
    my ($config) = map { $_->{config} } grep { $_->{config} } @{ $b->{fields} };
    ok($config && $config->{type} eq 'record', 'a config record');
    my %f = map { %$_ } @{ $config->{fields} || [] };
    is($f{policy}{default}, 'local', 'defaults are exposed');
    ($st, $b) = api_get('/schemas/plugins/cors');
    ($config) = map { $_->{config} } grep { $_->{config} } @{ $b->{fields} };
    %f = map { %$_ } @{ $config->{fields} };
    like(json_enc($f{exposed_headers}), qr/"type":"array"/, 'arrays');
    ($st, $b) = api_get('/schemas/plugins/key-auth');
    %f = map { %$_ } @{ (map { $_->{config} } grep { $_->{config} } @{ $b->{fields} })[0]{fields} };
    is(json_enc($f{key_names}{default}), '["apikey"]', 'array defaults as JSON arrays');
    expect('unknown', [ api_get('/schemas/plugins/nope') ], 404, { message => "No plugin named 'nope'" });
    ($st, $b) = api_get('/plugins/schema/key-auth');
    is($st, 200, 'the deprecated /plugins/schema/{name}');
    ok((grep { $_->{key_names} } @{ $b->{fields} }), 'is the config record');
    ($st, $b) = api_get('/schemas/plugins');
    is($st, 200, '/schemas/plugins is the entity schema');
};

subtest 'POST /schemas/plugins/validate' => sub {
    expect('valid', [ api_post('/schemas/plugins/validate', { name => 'cors', config => { max_age => 10 } }) ], 200,
           { message => 'schema validation successful' });
    my ($st, $b) = api_post('/schemas/plugins/validate', { name => 'cors', config => { max_age => 'x' } });
    is($st, 400, 'invalid');
    is_deeply($b->{fields}, { config => { max_age => 'expected a number' } }, 'nested field error');
    my (undef, $list) = api_get('/plugins?size=1000');
    ok(!grep({ $_->{name} eq 'cors' } @{ $list->{data} }), 'nothing stored');
};

subtest 'schemas of every plugin of DESIGN.md' => sub {
    my (undef, $b) = api_get('/plugins/enabled');
    for my $name (@{ $b->{enabled_plugins} }) {
        my ($st, $s) = api_get("/schemas/plugins/$name");
        is($st, 200, "/schemas/plugins/$name");
    }
};

subtest '/endpoints' => sub {
    my (undef, $b) = api_get('/endpoints');
    my %have = map { $_ => 1 } @{ $b->{data} };
    ok($have{$_}, "lists $_") for '/plugins', '/plugins/{plugins}', '/services/{services}/plugins',
        '/routes/{routes}/plugins', '/consumers/{consumers}/plugins', '/schemas/plugins/{name}';
};
