# /upstreams CRUD (kong-behaviour.md §1.3-§1.6, §2.5; cases follow Kong's
# spec/02-integration/04-admin_api/07-upstreams_routes_spec.lua).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 15, need_lwp;

reset_db();

my $NOT_FOUND   = { message => 'Not found' };
my $NOT_ALLOWED = { message => 'Method not allowed' };

# reference §2.5, as printed
sub healthchecks_default {
    return {
        threshold => 0,
        active => {
            type => 'http', timeout => 1, concurrency => 10, http_path => '/',
            https_sni => undef, https_verify_certificate => jtrue(), headers => undef,
            healthy   => { interval => 0, http_statuses => [ 200, 302 ], successes => 0 },
            unhealthy => { interval => 0, http_statuses => [ 429, 404, 500, 501, 502, 503, 504, 505 ],
                           tcp_failures => 0, timeouts => 0, http_failures => 0 },
        },
        passive => {
            type => 'http',
            healthy => { http_statuses => [ 200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
                                            300, 301, 302, 303, 304, 305, 306, 307, 308 ],
                         successes => 0 },
            unhealthy => { http_statuses => [ 429, 500, 503 ], tcp_failures => 0, timeouts => 0,
                           http_failures => 0 },
        },
    };
}

sub upstream_expect {
    my %over = @_;
    return {
        id => any_uuid(), created_at => any_ts(), updated_at => any_ts(),
        name => 'my.upstream', algorithm => 'round-robin', hash_on => 'none', hash_fallback => 'none',
        hash_on_header => undef, hash_fallback_header => undef, hash_on_cookie => undef,
        hash_on_cookie_path => '/', hash_on_query_arg => undef, hash_fallback_query_arg => undef,
        hash_on_uri_capture => undef, hash_fallback_uri_capture => undef, slots => 10000,
        healthchecks => healthchecks_default(), tags => undef, host_header => undef,
        client_certificate => undef, use_srv_name => jfalse(),
        %over,
    };
}

sub violation {
    my ($fields, $message) = @_;
    return { code => 2, name => 'schema violation', message => $message, fields => $fields };
}

my $CONDITIONAL = "failed conditional validation given value of field 'hash_on'";

subtest 'POST creates an upstream with every default' => sub {
    my ($st, $b, $res) = api_post('/upstreams', { name => 'my.upstream' });
    status_is($res, 201, 'POST /upstreams is 201');
    json_match($b, upstream_expect(), 'all fields, the healthchecks record in full');
    is($b->{created_at}, $b->{updated_at}, 'created_at == updated_at');
    my ($st2, $again) = api_get('/upstreams/my.upstream');
    is($st2, 200, 'GET by name');
    is_deeply($again, $b, 'stored as returned');
    expect('GET by id', [ api_get("/upstreams/$b->{id}") ], 200, $b);
};

subtest 'POST with hashing, in every body encoding' => sub {
    my @cases = (
        [ 'JSON', json => { name => 'hash-json', hash_on => 'consumer', hash_fallback => 'ip',
                            hash_on_header => 'HeaderName', hash_fallback_header => 'HeaderFallback',
                            slots => 10 } ],
        [ 'form', form => [ name => 'hash-form', hash_on => 'consumer', hash_fallback => 'ip',
                            hash_on_header => 'HeaderName', hash_fallback_header => 'HeaderFallback',
                            slots => 10 ] ],
        [ 'multipart', multipart => [ name => 'hash-multi', hash_on => 'consumer', hash_fallback => 'ip',
                                      hash_on_header => 'HeaderName',
                                      hash_fallback_header => 'HeaderFallback', slots => 10 ] ],
    );
    for my $c (@cases) {
        my ($label, @body) = @$c;
        my ($st, $b, $res) = api_request('POST', '/upstreams', @body);
        status_is($res, 201, "$label: 201");
        my %in = ref $body[1] eq 'HASH' ? %{ $body[1] } : @{ $body[1] };
        json_match($b, upstream_expect(%in, algorithm => 'consistent-hashing'),
                   "$label: hashing implies consistent-hashing, slots is a number");
    }
    my ($st, $b) = api_post('/upstreams', { name => 'hash-cookie', hash_on => 'cookie',
                                            hash_on_cookie => 'CookieName1', hash_on_cookie_path => '/foo' });
    is($st, 201, 'hash on a cookie');
    json_match([ @$b{qw(hash_on hash_on_cookie hash_on_cookie_path algorithm)} ],
               [ 'cookie', 'CookieName1', '/foo', 'consistent-hashing' ], 'cookie, its path');
    ($st, $b) = api_post('/upstreams', { name => 'hash-headers', hash_on => 'header', hash_fallback => 'header',
                                         hash_on_header => 'HeaderName1', hash_fallback_header => 'HeaderName2' });
    is($st, 201, 'header with a header fallback');
    ($st, $b) = api_post('/upstreams', { name => 'lc', hash_on => 'ip', algorithm => 'least-connections' });
    json_match([ @$b{qw(algorithm hash_on)} ], [ 'least-connections', 'none' ],
               'least-connections resets hash_on');
    ($st, $b) = api_post('/upstreams', { name => 'max-slots', slots => 65536, host_header => 'localhost',
                                         use_srv_name => jtrue(), tags => [ 'lb' ] });
    json_match([ @$b{qw(slots host_header use_srv_name tags)} ], [ 65536, 'localhost', jtrue(), [ 'lb' ] ],
               'upper slots bound, host_header, use_srv_name, tags');
};

subtest 'healthchecks: partial input is completed, form keys reach nested members' => sub {
    my ($st, $b) = api_post('/upstreams', { name => 'hc-json',
        healthchecks => { active => { healthy => { interval => 5 }, https_sni => 'probe.test',
                                      headers => { 'x-probe' => [ 'a', 'b' ] } },
                          threshold => 33.5 } });
    is($st, 201, 'created');
    my $want = healthchecks_default();
    $want->{active}{healthy}{interval} = 5;
    $want->{active}{https_sni} = 'probe.test';
    $want->{active}{headers} = { 'x-probe' => [ 'a', 'b' ] };
    $want->{threshold} = 33.5;
    json_match($b->{healthchecks}, $want, 'given members kept, every other member defaulted');
    ($st, $b) = api_post('/upstreams', form => [ name => 'hc-form',
        'healthchecks.passive.unhealthy.tcp_failures' => 3,
        'healthchecks.active.healthy.http_statuses[]' => 200,
        'healthchecks.active.healthy.http_statuses[]' => 204,
        'healthchecks.active.https_verify_certificate' => 'false' ]);
    is($st, 201, 'form-encoded nested members');
    $want = healthchecks_default();
    $want->{passive}{unhealthy}{tcp_failures} = 3;
    $want->{active}{healthy}{http_statuses} = [ 200, 204 ];
    $want->{active}{https_verify_certificate} = jfalse();
    json_match($b->{healthchecks}, $want, 'numbers and booleans coerced inside records');
    expect('a counter out of range',
           [ api_post('/upstreams', { name => 'hc-bad', healthchecks => { active => { unhealthy =>
                                                                  { tcp_failures => 256 } } } }) ],
           400, undef);
    is(sql_count(q{FROM upstreams WHERE name = 'hc-bad'}), 0, 'not stored');
};

subtest 'name rules' => sub {
    expect('missing', [ api_post('/upstreams', { slots => 50 }) ], 400,
           violation({ name => 'required field missing' }, 'schema violation (name: required field missing)'));
    my $msg = q{Invalid name ('some invalid host name'); must be a valid hostname};
    expect('not a hostname', [ api_post('/upstreams', { name => 'some invalid host name' }) ], 400,
           violation({ name => $msg }, "schema violation (name: $msg)"));
    $msg = q{Invalid name ('10.0.0.1'); no ip addresses allowed};
    expect('an IP address', [ api_post('/upstreams', { name => '10.0.0.1' }) ], 400,
           violation({ name => $msg }, "schema violation (name: $msg)"));
    $msg = q{Invalid name ('my.upstream:80'); no port allowed};
    expect('a port', [ api_post('/upstreams', form => [ name => 'my.upstream:80' ]) ], 400,
           violation({ name => $msg }, "schema violation (name: $msg)"));
    expect('PUT /upstreams/1.2.3.4: the key is checked first', [ api_put('/upstreams/1.2.3.4', {}) ], 400,
           { code => 10, name => 'invalid unique name',
             message => q{Invalid name ('1.2.3.4'); no ip addresses allowed} });
    expect('duplicate', [ api_post('/upstreams', { name => 'my.upstream' }) ], 409,
           { code => 5, name => 'unique constraint violation',
             message => q{UNIQUE violation detected on '{name="my.upstream"}'}, fields => { name => 'my.upstream' } });
};

subtest "field errors (Kong's messages)" => sub {
    expect('slots', [ api_post('/upstreams', { name => 'e', slots => 2**16 + 1 }) ], 400,
           violation({ slots => 'value should be between 10 and 65536' },
                     'schema violation (slots: value should be between 10 and 65536)'));
    expect('hash_on', [ api_post('/upstreams', { name => 'e', hash_on => 'something that is invalid' }) ], 400,
           violation({ hash_on => 'expected one of: none, consumer, ip, header, cookie, path, query_arg, uri_capture' },
                     'schema violation (hash_on: expected one of: none, consumer, ip, header, cookie, path, '
                     . 'query_arg, uri_capture)'));
    expect('hash_on_cookie_path', [ api_post('/upstreams', { name => 'e', hash_on => 'cookie',
                                                             hash_on_cookie => 'hashme',
                                                             hash_on_cookie_path => 'not a path' }) ], 400,
           violation({ hash_on_cookie_path => 'should start with: /' },
                     'schema violation (hash_on_cookie_path: should start with: /)'));
    expect('host_header', [ api_post('/upstreams', { name => 'e', host_header => 'bad host' }) ], 400,
           violation({ host_header => 'invalid hostname: bad host' },
                     'schema violation (host_header: invalid hostname: bad host)'));
    is(sql_count(q{FROM upstreams WHERE name = 'e'}), 0, 'nothing stored');
};

subtest 'hash rules: conditional checks' => sub {
    my $fallback = 'expected one of: none, ip, header, cookie, path, query_arg, uri_capture';
    for my $enc ('json', 'form') {
        my $body = sub { $enc eq 'json' ? (json => { @_ }) : (form => [ @_ ]) };
        expect("$enc: invalid fallback",
               [ api_request('POST', '/upstreams', $body->(name => 'c', hash_on => 'consumer',
                                                         hash_fallback => 'something that is invalid')) ],
               400, violation({ '@entity' => [ $CONDITIONAL ], hash_fallback => $fallback },
                              "2 schema violations ($CONDITIONAL; hash_fallback: $fallback)"));
        expect("$enc: fallback equal to hash_on",
               [ api_request('POST', '/upstreams', $body->(name => 'c', hash_on => 'consumer',
                                                         hash_fallback => 'consumer')) ],
               400, violation({ '@entity' => [ $CONDITIONAL ], hash_fallback => $fallback },
                              "2 schema violations ($CONDITIONAL; hash_fallback: $fallback)"));
    }
    my ($st, $b) = api_post('/upstreams', { name => 'c', hash_on => 'header', hash_fallback => 'consumer',
                                            hash_on_header => 'not a <> valid <> header name' });
    is($st, 400, 'invalid header name');
    is($b->{fields}{hash_on_header},
       q{bad header name 'not a <> valid <> header name', allowed characters are A-Z, a-z, 0-9, '_', and '-'},
       'the header name message');
    expect('same headers', [ api_post('/upstreams', { name => 'c', hash_on => 'header', hash_fallback => 'header',
                                                      hash_on_header => 'headername',
                                                      hash_fallback_header => 'headername' }) ], 400,
           violation({ '@entity' => [ q{values of these fields must be distinct: 'hash_on_header', 'hash_fallback_header'} ] },
                     q{schema violation (values of these fields must be distinct: 'hash_on_header', 'hash_fallback_header')}));
    expect('cookie with a fallback', [ api_post('/upstreams', { name => 'c', hash_on => 'cookie',
                                                                hash_on_cookie => 'cookiename',
                                                                hash_fallback => 'header',
                                                                hash_fallback_header => 'Cool-Header' }) ], 400,
           violation({ '@entity' => [ $CONDITIONAL ], hash_fallback => 'expected one of: none' },
                     "2 schema violations ($CONDITIONAL; hash_fallback: expected one of: none)"));
    expect('no header name', [ api_post('/upstreams', { name => 'c', hash_on => 'header', hash_fallback => 'header',
                                                        hash_fallback_header => 'HeaderName' }) ], 400,
           violation({ '@entity' => [ $CONDITIONAL ], hash_on_header => 'required field missing' },
                     "2 schema violations ($CONDITIONAL; hash_on_header: required field missing)"));
    my $fb = "failed conditional validation given value of field 'hash_fallback'";
    expect('no fallback header name', [ api_post('/upstreams', { name => 'c', hash_on => 'consumer',
                                                                 hash_fallback => 'header' }) ], 400,
           violation({ '@entity' => [ $fb ], hash_fallback_header => 'required field missing' },
                     "2 schema violations ($fb; hash_fallback_header: required field missing)"));
    my $cookie_msg = 'contains one or more invalid characters. ASCII control characters (0-31;127), space, '
                   . 'tab and the characters ()<>@,;:\\"/?={}[] are not allowed.';
    ($st, $b) = api_post('/upstreams', { name => 'c', hash_on => 'cookie',
                                         hash_on_cookie => 'not a <> valid <> cookie name' });
    is($b->{fields}{hash_on_cookie}, $cookie_msg, 'invalid cookie name');
    ($st, $b) = api_post('/upstreams', { name => 'c', hash_on => 'consumer', hash_fallback => 'cookie',
                                         hash_on_cookie => 'not a <> valid <> cookie name' });
    is($b->{fields}{hash_on_cookie}, $cookie_msg, 'invalid cookie name for the fallback');
    expect('invalid cookie path for the fallback',
           [ api_post('/upstreams', { name => 'c', hash_on => 'consumer', hash_fallback => 'cookie',
                                      hash_on_cookie => 'my-cookie', hash_on_cookie_path => 'not a path' }) ],
           400, violation({ hash_on_cookie_path => 'should start with: /' },
                          'schema violation (hash_on_cookie_path: should start with: /)'));
    is(sql_count(q{FROM upstreams WHERE name = 'c'}), 0, 'nothing stored');
};

subtest 'PUT creates (200), replaces, forces the name from the URL' => sub {
    my ($st, $b, $res) = api_put('/upstreams/put-up', { name => 'other', slots => 123 });
    status_is($res, 200, 'PUT by a new name: 200');
    json_match($b, upstream_expect(name => 'put-up', slots => 123), 'the URL name wins');
    ($st, $b) = api_put('/upstreams/put-up', { hash_on => 'ip' });
    json_match($b, upstream_expect(id => $b->{id}, name => 'put-up', hash_on => 'ip',
                                   algorithm => 'consistent-hashing'),
               'a full replacement: slots back to 10000');
    my $id = '00000000-0000-4000-8000-000000000001';
    expect('PUT by a new id without a name', [ api_put("/upstreams/$id", {}) ], 400,
           violation({ name => 'required field missing' }, 'schema violation (name: required field missing)'));
    ($st, $b) = api_put("/upstreams/$id", { name => 'put-by-id' });
    is($st, 200, 'PUT by a new id with a name');
    is($b->{id}, $id, 'the URL id');
};

subtest 'PATCH merges healthchecks and applies the shorthands' => sub {
    my (undef, $u) = api_post('/upstreams', { name => 'patch-up', slots => 100 });
    GwTest::psql("UPDATE upstreams SET created_at = to_timestamp(1000000000), "
               . "updated_at = to_timestamp(1000000000) WHERE id = '$u->{id}'");
    my ($st, $p, $res) = api_patch('/upstreams/patch-up', { healthchecks => { passive => {
        healthy => { successes => 1 }, unhealthy => { tcp_failures => 1, http_failures => 1, timeouts => 1 } } } });
    status_is($res, 200, 'PATCH healthchecks');
    my $want = healthchecks_default();
    @{ $want->{passive}{unhealthy} }{qw(tcp_failures http_failures timeouts)} = (1, 1, 1);
    $want->{passive}{healthy}{successes} = 1;
    json_match($p, upstream_expect(id => $u->{id}, name => 'patch-up', slots => 100, healthchecks => $want,
                                   created_at => 1000000000),
               'records merged member by member');
    ok($p->{updated_at} > 1000000000, 'updated_at bumped');
    ($st, $p) = api_patch('/upstreams/patch-up', { healthchecks => { active => { healthy => { interval => 1 } } } });
    is($p->{healthchecks}{passive}{unhealthy}{tcp_failures}, 1, 'an earlier PATCH is kept');
    is($p->{healthchecks}{active}{healthy}{interval}, 1, 'the new member is set');
    ($st, $p) = api_patch('/upstreams/patch-up', { hash_on => 'header', hash_on_header => 'x-user' });
    is($p->{algorithm}, 'consistent-hashing', 'PATCH hash_on switches the algorithm');
    ($st, $p) = api_patch("/upstreams/$u->{id}", { algorithm => 'latency' });
    json_match([ @$p{qw(algorithm hash_on hash_on_header)} ], [ 'latency', 'none', 'x-user' ],
               'PATCH algorithm=latency resets hash_on only');
    ($st, $p) = api_patch('/upstreams/patch-up', { name => 'patched-up' });
    is($p->{name}, 'patched-up', 'rename');
    expect('absent', [ api_patch('/upstreams/absent-up', { slots => 20 }) ], 404, $NOT_FOUND);
    expect('PATCH to an invalid combination', [ api_patch('/upstreams/patched-up', { hash_fallback => 'ip' }) ], 400,
           violation({ '@entity' => [ $CONDITIONAL ], hash_fallback => 'expected one of: none' },
                     "2 schema violations ($CONDITIONAL; hash_fallback: expected one of: none)"));
};

subtest 'listing and pagination' => sub {
    my ($st, $b) = api_get('/upstreams');
    is($st, 200, 'GET /upstreams');
    my $n = scalar @{ $b->{data} };
    ok($n >= 10, "every upstream ($n)");
    ($st, $b) = api_get('/upstreams?size=1');
    is(scalar @{ $b->{data} }, 1, 'size=1');
    ok($b->{offset}, 'an offset');
    my ($st2, $b2) = api_get('/upstreams?size=1&offset=' . $b->{offset});
    is(scalar @{ $b2->{data} }, 1, 'the next page');
    ok($b2->{data}[0]{id} gt $b->{data}[0]{id}, 'after the first, in id order');
    ($st, $b) = api_get('/upstreams?tags=lb');
    is_deeply([ map { $_->{name} } @{ $b->{data} } ], [ 'max-slots' ], 'tags=lb');
    expect('tags= (empty)', [ api_get('/upstreams?tags=') ], 400,
           { code => 11, name => 'invalid options', message => 'invalid option (tags: cannot be null)',
             options => { tags => 'cannot be null' } });
};

subtest 'DELETE by id and by name, also when absent' => sub {
    my (undef, $u) = api_post('/upstreams', { name => 'del-up', slots => 100 });
    expect('by id', [ api_delete("/upstreams/$u->{id}") ], 204, '');
    expect('gone', [ api_get("/upstreams/$u->{id}") ], 404, $NOT_FOUND);
    api_post('/upstreams', { name => 'del-up', slots => 100 });
    expect('by name', [ api_delete('/upstreams/del-up') ], 204, '');
    expect('absent', [ api_delete('/upstreams/del-up') ], 204, '');
};

subtest 'DELETE of an upstream takes its targets with it' => sub {
    my (undef, $u) = api_post('/upstreams', { name => 'with-targets', slots => 100 });
    my ($st) = api_post('/upstreams/with-targets/targets', { target => '127.0.0.1:8000' });
    is($st, 201, 'a target');
    ($st) = api_post('/upstreams/with-targets/targets', { target => '127.0.0.2:8000' });
    is($st, 201, 'another');
    expect('DELETE one target', [ api_delete('/upstreams/with-targets/targets/127.0.0.1:8000') ], 204, '');
    expect('the upstream is still there', [ api_get('/upstreams/with-targets') ], 200, undef);
    expect('DELETE the upstream', [ api_delete('/upstreams/with-targets') ], 204, '');
    is(sql_count("FROM targets WHERE upstream_id = '$u->{id}'"), 0, 'its targets went with it');
};

subtest 'methods' => sub {
    expect('DELETE /upstreams', [ api_delete('/upstreams') ], 405, $NOT_ALLOWED);
    expect('PATCH /upstreams', [ api_patch('/upstreams', {}) ], 405, $NOT_ALLOWED);
    my ($st, undef, $res) = api_options('/upstreams/my.upstream');
    is($res->header('Allow'), 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT', 'entity methods');
    expect('GET ignores an invalid body',
           [ api_get('/upstreams/my.upstream', raw => 'this fails if decoded as json', type => 'application/json') ],
           200, undef);
};

subtest 'schema and endpoints' => sub {
    my ($st, $b) = api_get('/schemas/upstreams');
    is($st, 200, 'GET /schemas/upstreams');
    my %f = map { %$_ } @{ $b->{fields} || [] };
    is_deeply([ sort keys %f ],
              [ sort qw(id created_at updated_at name algorithm hash_on hash_fallback hash_on_header
                        hash_fallback_header hash_on_cookie hash_on_cookie_path hash_on_query_arg
                        hash_fallback_query_arg hash_on_uri_capture hash_fallback_uri_capture slots
                        healthchecks tags host_header client_certificate use_srv_name) ],
              'every upstream field');
    json_match([ map { $f{$_}{default} } qw(algorithm hash_on slots hash_on_cookie_path use_srv_name) ],
               [ 'round-robin', 'none', 10000, '/', jfalse() ], 'defaults');
    is($f{healthchecks}{type}, 'record', 'healthchecks is a record');
    ($st, $b) = api_get('/endpoints');
    my %have = map { $_ => 1 } @{ $b->{data} || [] };
    for my $e ('/upstreams', '/upstreams/{upstreams}', '/upstreams/{upstreams}/targets',
               '/upstreams/{upstreams}/targets/{targets}', '/upstreams/{upstreams}/targets/all') {
        ok($have{$e}, "lists $e");
    }
};

subtest "stored rows follow Kong's columns" => sub {
    my ($row) = sql_lines(q{name || '|' || algorithm || '|' || hash_on || '|' || slots || '|'
                            || (healthchecks->'active'->'healthy'->>'interval') || '|'
                            || jsonb_typeof(healthchecks) || '|' || use_srv_name::text},
                          q{FROM upstreams WHERE name = 'hc-json'});
    is($row, 'hc-json|round-robin|none|10000|5|object|false', 'healthchecks as jsonb, plain columns');
};

subtest 'tags list upstreams' => sub {
    my ($st, $b) = api_get('/tags/lb');
    is($st, 200, 'GET /tags/lb');
    json_match([ map { $_->{entity_name} } @{ $b->{data} } ], [ 'upstreams' ], 'one upstream');
};
