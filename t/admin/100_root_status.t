# GET / and GET /status (kong-behaviour.md §1.1, §1.7).
use strict;
use warnings;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 17, need_lwp;

reset_db();

my $UUID = qr/\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/;

subtest 'GET / describes the node' => sub {
    my ($st, $b, $res) = api_get('/');
    status_is($res, 200, 'GET / is 200');
    like($res->header('Content-Type') // '', qr{^application/json}, 'JSON content type');
    is(ref $b, 'HASH', 'body is an object') or return;

    is($b->{tagline}, 'Welcome to kong', 'tagline');
    like($b->{version} // '', qr/\A\d+\.\d+\.\d+/, 'version is x.y.z (decK parses it)');
    unlike($b->{version} // '', qr/enterprise/, 'version does not claim enterprise');
    is($b->{edition}, 'community', 'edition');
    ok(defined $b->{hostname} && !ref $b->{hostname} && length $b->{hostname}, 'hostname');
    like($b->{node_id} // '', $UUID, 'node_id is a UUID');
    json_match($b->{timers}, { running => any_int(), pending => any_int() }, 'timers');

    is(ref $b->{plugins}, 'HASH', 'plugins object');
    is(ref $b->{plugins}{available_on_server}, 'HASH', 'available_on_server is an object');
    is(ref $b->{plugins}{enabled_in_cluster}, 'ARRAY', 'enabled_in_cluster is an array');
    like($res->content, qr/"enabled_in_cluster"\s*:\s*\[/,
         'enabled_in_cluster serialised as a JSON array even when empty');

    is(ref $b->{configuration}, 'HASH', 'configuration object');
    is($b->{configuration}{database}, 'postgres', 'configuration.database (go-kong reads it)');
    is($b->{configuration}{router_flavor}, 'traditional_compatible', 'router_flavor');
    my @leaks = grep { /password|secret/i && defined $b->{configuration}{$_}
                       && $b->{configuration}{$_} ne '******' } keys %{ $b->{configuration} };
    is_deeply(\@leaks, [], 'secrets in configuration are masked as ******');
    ok(!exists $b->{prng_seeds}, 'no PRNG seeds');

    is(ref $b->{pids}, 'HASH', 'pids object');
    like($b->{pids}{master} // '', qr/\A\d+\z/, 'pids.master');
    is(ref $b->{pids}{workers}, 'ARRAY', 'pids.workers is an array');
    # reference silent: `lua_version` is Kong-specific; a non-Lua clone may omit it,
    # so it is not asserted.
};

subtest 'generic admin response headers' => sub {
    my ($st, $b, $res) = api_get('/');
    like($res->header('X-Kong-Admin-Latency') // '', qr/\A\d+\z/,
         'X-Kong-Admin-Latency is an integer (latency_tokens default on)');
    is($res->header('Access-Control-Allow-Origin'), '*', 'CORS origin * without Origin');
    is($res->header('Access-Control-Allow-Credentials'), 'true', 'CORS credentials');
    ok(!defined $res->header('Via'), 'no Via header on admin responses');
    # reference: `Server: kong/<version>` - httpd owns the Server header
    # (ServerTokens), so it is not asserted here.

    ($st, $b, $res) = api_get('/', headers => [ Origin => 'http://gui.example.test' ]);
    is($res->header('Access-Control-Allow-Origin'), 'http://gui.example.test',
       'request Origin is echoed');
    is($res->header('Access-Control-Allow-Credentials'), 'true', 'CORS credentials with Origin');
};

subtest 'HEAD / answers like GET without a body' => sub {
    my (undef, undef, $get)  = api_get('/');
    my ($st, undef, $head) = api_head('/');
    status_is($head, 200, 'HEAD / is 200');
    is($head->content, '', 'no body');
    is($head->header('Content-Type'), $get->header('Content-Type'), 'same Content-Type');
    my %skip = map { $_ => 1 } qw(date x-kong-admin-latency content-length connection keep-alive);
    my @g = sort grep { !$skip{$_} && !/^client-/ } map { lc } $get->headers->header_field_names;
    my @h = sort grep { !$skip{$_} && !/^client-/ } map { lc } $head->headers->header_field_names;
    is_deeply(\@h, \@g, 'same header names');
};

subtest 'OPTIONS /' => sub {
    my ($st, $b, $res) = api_options('/');
    status_is($res, 204, 'OPTIONS / is 204');
    is($res->content, '', 'empty body');
    is($res->header('Allow'), 'GET, HEAD, OPTIONS', 'Allow');
    is($res->header('Access-Control-Allow-Methods'), 'GET, HEAD, OPTIONS', 'Access-Control-Allow-Methods');
    is($res->header('Access-Control-Allow-Headers'), 'Content-Type', 'default Access-Control-Allow-Headers');
    is($res->header('Access-Control-Allow-Origin'), '*', 'Access-Control-Allow-Origin');
    ok(defined $res->header('X-Kong-Admin-Latency'), 'X-Kong-Admin-Latency');
};

subtest 'unsupported methods on / are 405' => sub {
    for my $m (qw(POST PUT PATCH DELETE GEEEET)) {
        expect("$m /", [ api_request($m, '/', json => {}) ], 405,
               { message => 'Method not allowed' });
    }
};

subtest 'GET /status' => sub {
    my ($st, $b, $res) = api_get('/status');
    status_is($res, 200, 'GET /status is 200');
    like($res->header('Content-Type') // '', qr{^application/json}, 'JSON content type');
    json_match($b->{database}, { reachable => jtrue() }, 'database.reachable is true');
    json_match($b->{server}, {
        connections_accepted => any_int(),
        connections_active   => any_int(),
        connections_handled  => any_int(),
        connections_reading  => any_int(),
        connections_waiting  => any_int(),
        connections_writing  => any_int(),
        total_requests       => any_int(),
    }, 'server counters are integers');
    ok(!exists $b->{configuration_hash}, 'no configuration_hash in database mode');
    # reference silent on a non-Lua `memory` section (lua_shared_dicts,
    # workers_lua_vms are Kong internals); not asserted.
};

subtest '/status unit parameter' => sub {
    for my $u (qw(b k K m M g G)) {
        my ($st, undef, $res) = api_get("/status?unit=$u");
        status_is($res, 200, "unit=$u accepted");
    }
    my ($st, $b, $res) = api_get('/status?unit=V');
    status_is($res, 400, 'unit=V rejected');
    is($b->{message}, "invalid unit 'V' (expected 'k/K', 'm/M', or 'g/G')", 'invalid unit message');
};

subtest 'OPTIONS and 405 on /status' => sub {
    my ($st, $b, $res) = api_options('/status');
    status_is($res, 204, 'OPTIONS /status is 204');
    is($res->header('Allow'), 'GET, HEAD, OPTIONS', 'Allow');
    expect('POST /status', [ api_post('/status', {}) ], 405, { message => 'Method not allowed' });
    expect('DELETE /status', [ api_delete('/status') ], 405, { message => 'Method not allowed' });
};

subtest 'node_id is stable' => sub {
    my (undef, $a) = api_get('/');
    my (undef, $b) = api_get('/');
    ok(defined $a->{node_id}, 'node_id present');
    is($b->{node_id}, $a->{node_id}, 'same node_id on every call');
};

subtest 'GET / ignores a body and query' => sub {
    my ($st, $b, $res) = api_get('/?foo=bar', raw => 'this fails if decoded as json',
                                 type => 'application/json');
    status_is($res, 200, 'invalid JSON body on GET is ignored');
    ok(ref $b eq 'HASH' && defined $b->{node_id}, 'normal answer');
};

subtest 'GET /endpoints' => sub {
    my ($st, $body, $res) = api_get('/endpoints');
    status_is($res, 200, 'GET /endpoints is 200') or return;
    my @d = @{ ($body && $body->{data}) || [] };
    my %have = map { $_ => 1 } @d;
    for my $e ('/', '/status', '/services', '/services/{services}', '/services/{services}/routes',
               '/services/{services}/routes/{routes}', '/routes', '/routes/{routes}', '/routes/{routes}/service') {
        ok($have{$e}, "lists $e");
    }
    my @sorted = sort { ($a =~ s{/}{\x00}gr) cmp ($b =~ s{/}{\x00}gr) } @d;
    is_deeply(\@d, \@sorted, 'sorted segment-wise ("/" sorts lowest)');
};

subtest 'GET /schemas/services' => sub {
    my ($st, $b, $res) = api_get('/schemas/services');
    status_is($res, 200, 'GET /schemas/services') or return;
    is(ref($b && $b->{entity_checks}), 'ARRAY', 'entity_checks is an array');
    my %f = map { %$_ } @{ ($b && $b->{fields}) || [] };
    is_deeply([ sort keys %f ],
              [ sort qw(id created_at updated_at name retries protocol host port path connect_timeout
                        write_timeout read_timeout tags client_certificate tls_verify tls_verify_depth
                        ca_certificates enabled) ],
              'every service field, one object per field');
    json_match([ map { $f{$_}{default} } qw(retries protocol port connect_timeout write_timeout read_timeout enabled) ],
               [ 5, 'http', 80, 60000, 60000, 60000, jtrue() ],
               'defaults decK fills in before diffing');
    json_match([ $f{protocol}{required}, $f{host}{required}, $f{host}{type}, $f{port}{type} ],
               [ jtrue(), jtrue(), 'string', 'integer' ], 'types and required flags');
};

subtest 'GET /schemas/routes' => sub {
    my ($st, $b, $res) = api_get('/schemas/routes');
    status_is($res, 200, 'GET /schemas/routes') or return;
    my %f = map { %$_ } @{ ($b && $b->{fields}) || [] };
    is_deeply([ sort keys %f ],
              [ sort qw(id created_at updated_at name protocols https_redirect_status_code strip_path
                        preserve_host request_buffering response_buffering tags service snis sources
                        destinations methods hosts paths headers regex_priority path_handling) ],
              'every route field (traditional_compatible: no expression/priority)');
    json_match([ map { $f{$_}{default} } qw(protocols https_redirect_status_code strip_path preserve_host
                                           request_buffering response_buffering regex_priority path_handling) ],
               [ [ 'http', 'https' ], 426, jtrue(), jfalse(), jtrue(), jtrue(), 0, 'v0' ], 'route defaults');
    is($f{service} && $f{service}{type}, 'foreign', 'service is a foreign field');
    is($f{service} && $f{service}{reference}, 'services', 'referencing services');
    ok($f{service} && !exists $f{service}{schema}, 'without the nested schema');
    expect('unknown entity', [ api_get('/schemas/not-present') ], 404, { message => q{No entity named 'not-present'} });
};

subtest 'POST /schemas/{entity}/validate stores nothing' => sub {
    my $before = sql_count('FROM services');
    expect('valid service', [ api_post('/schemas/services/validate', { host => 'example.com' }) ], 200,
           { message => 'schema validation successful' });
    expect('invalid service', [ api_post('/schemas/services/validate', {}) ], 400,
           { code => 2, name => 'schema violation', message => 'schema violation (host: required field missing)',
             fields => { host => 'required field missing' } });
    expect('valid route', [ api_post('/schemas/routes/validate', { paths => [ '/v' ] }) ], 200,
           { message => 'schema validation successful' });
    is(sql_count('FROM services'), $before, 'nothing stored');
    is(sql_count('FROM routes'), 0, 'no route stored');
};

subtest 'GET /plugins/enabled' => sub {
    my ($st, $b, $res) = api_get('/plugins/enabled');
    status_is($res, 200, 'GET /plugins/enabled') or return;
    is(ref($b && $b->{enabled_plugins}), 'ARRAY', 'enabled_plugins is an array');
    like($res->content, qr/"enabled_plugins"\s*:\s*\[/, 'serialised as an array even when empty');
};

subtest '/config is for DB-less nodes only' => sub {
    my $msg = { message => 'this endpoint is only available when Kong is configured to not use a database' };
    expect('GET /config', [ api_get('/config') ], 400, $msg);
    expect('POST /config', [ api_post('/config', { _format_version => '3.0' }) ], 400, $msg);
};

subtest 'database mode answers writes (no code 12)' => sub {
    my ($st, $b) = api_post('/services', { name => 'root-probe', host => 'probe.test' });
    is($st, 201, 'entity writes are allowed in database mode');
    expect('cleanup', [ api_delete('/services/root-probe') ], 204, '');
};
