# The service `url` shorthand and service validation (kong-behaviour.md §2.1, §1.6).
use strict;
use warnings;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 8, need_lwp;

reset_db();

sub violation {
    my ($message, $fields) = @_;
    return { code => 2, name => 'schema violation', message => $message, fields => $fields };
}

subtest 'url shorthand is parsed into protocol, host, port and path' => sub {
    my @cases = (
        # url                                 protocol host              port   path
        [ 'http://example.com',               'http',  'example.com',    80,    undef    ],
        [ 'http://example.com/',              'http',  'example.com',    80,    '/'      ],
        [ 'http://example.test:443',          'http',  'example.test',   443,   undef    ],
        [ 'https://example2.test:80/',        'https', 'example2.test',  80,    '/'      ],
        [ 'https://service.test/',            'https', 'service.test',   443,   '/'      ],
        [ 'https://service.test',             'https', 'service.test',   443,   undef    ],
        [ 'http://edited2.test:1234/foo',     'http',  'edited2.test',   1234,  '/foo'   ],
        [ 'http://127.0.0.1:8080/a/b',        'http',  '127.0.0.1',      8080,  '/a/b'   ],
        [ 'tcp://tcp.test:5000',              'tcp',   'tcp.test',       5000,  undef    ],
        [ 'grpc://grpc.test:9000',            'grpc',  'grpc.test',      9000,  undef    ],
        # "else 80": a scheme other than http/https without a port gets 80
        [ 'grpcs://grpcs.test',               'grpcs', 'grpcs.test',     80,    undef    ],
    );
    for my $c (@cases) {
        my ($st, $b, $res) = api_post('/services', { url => $c->[0] });
        status_is($res, 201, "url=$c->[0] accepted");
        json_match($b, service_expect(protocol => $c->[1], host => $c->[2], port => $c->[3],
                                      path => $c->[4]),
                   "url=$c->[0] -> $c->[1] $c->[2] $c->[3] " . ($c->[4] // 'null'));
    }
    is(sql_count('FROM services'), scalar @cases, 'one row per POST');
};

subtest 'invalid url values' => sub {
    my $before = sql_count('FROM services');
    expect('url="invalid url"', [ api_post('/services', { url => 'invalid url' }) ], 400,
           violation('2 schema violations (host: required field missing; path: should start with: /)',
                     { host => 'required field missing', path => 'should start with: /' }));
    for my $u ('', ' ') {
        # reference: 400 only; Kong's own spec checks just the status here.
        my ($st, $b, $res) = api_post('/services', { url => $u });
        status_is($res, 400, "url=\"$u\" rejected");
        is($b && $b->{code}, 2, "url=\"$u\" is a schema violation");
    }
    is(sql_count('FROM services'), $before, 'nothing stored');
};

subtest 'field validation messages' => sub {
    my $before = sql_count('FROM services');
    my $protocols = 'expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp';
    my @cases = (
        [ 'empty body', {},
          'schema violation (host: required field missing)', { host => 'required field missing' } ],
        [ 'name charset', { name => 'my service', host => 'x.test' },
          q{schema violation (name: invalid value 'my service': the only accepted ascii characters are alphanumerics or ., -, _, and ~)},
          { name => q{invalid value 'my service': the only accepted ascii characters are alphanumerics or ., -, _, and ~} } ],
        [ 'name with a colon', { name => 'examp:le', host => 'x.test' },
          q{schema violation (name: invalid value 'examp:le': the only accepted ascii characters are alphanumerics or ., -, _, and ~)},
          { name => q{invalid value 'examp:le': the only accepted ascii characters are alphanumerics or ., -, _, and ~} } ],
        [ 'empty name', { name => '', host => 'x.test' },
          'schema violation (name: length must be at least 1)', { name => 'length must be at least 1' } ],
        [ 'host with a port', { host => 'example.com:80' },
          'schema violation (host: must not have a port)', { host => 'must not have a port' } ],
        # reference silent on the exact text for a malformed host; Kong says "invalid value: <v>"
        [ 'malformed host', { host => 'mock;bin' },
          'schema violation (host: invalid value: mock;bin)', { host => 'invalid value: mock;bin' } ],
        [ 'port too big', { host => 'x.test', port => 65536 },
          'schema violation (port: value should be between 0 and 65535)',
          { port => 'value should be between 0 and 65535' } ],
        [ 'negative port', { host => 'x.test', port => -1 },
          'schema violation (port: value should be between 0 and 65535)',
          { port => 'value should be between 0 and 65535' } ],
        [ 'retries too big', { host => 'x.test', retries => 32768 },
          'schema violation (retries: value should be between 0 and 32767)',
          { retries => 'value should be between 0 and 32767' } ],
        [ 'zero timeout', { host => 'x.test', connect_timeout => 0 },
          'schema violation (connect_timeout: value should be between 1 and 2147483646)',
          { connect_timeout => 'value should be between 1 and 2147483646' } ],
        [ 'timeout too big', { host => 'x.test', read_timeout => 2147483647 },
          'schema violation (read_timeout: value should be between 1 and 2147483646)',
          { read_timeout => 'value should be between 1 and 2147483646' } ],
        [ 'unknown protocol', { host => 'x.test', protocol => 'foo' },
          "schema violation (protocol: $protocols)", { protocol => $protocols } ],
        [ 'relative path', { host => 'x.test', path => 'foo' },
          'schema violation (path: should start with: /)', { path => 'should start with: /' } ],
        [ 'empty path segment', { host => 'x.test', path => '/a//b' },
          'schema violation (path: must not have empty segments)', { path => 'must not have empty segments' } ],
        # reference: "RFC-3986 chars only, valid %XX"; the two texts below are Kong's
        [ 'non RFC 3986 path', { host => 'x.test', path => '/a b' },
          q{schema violation (path: invalid path: '/a b' (characters outside of the reserved list of RFC 3986 found))},
          { path => q{invalid path: '/a b' (characters outside of the reserved list of RFC 3986 found)} } ],
        [ 'bad percent-encoding', { host => 'x.test', path => '/a%zz' },
          q{schema violation (path: invalid url-encoded value: '%zz')},
          { path => q{invalid url-encoded value: '%zz'} } ],
        [ 'tls_verify_depth out of range', { host => 'x.test', protocol => 'https', tls_verify_depth => 65 },
          'schema violation (tls_verify_depth: value should be between 0 and 64)',
          { tls_verify_depth => 'value should be between 0 and 64' } ],
        [ 'ca_certificates must be UUIDs', { host => 'x.test', protocol => 'https', ca_certificates => [ 'nope' ] },
          'schema violation (ca_certificates.1: expected a valid UUID)',
          { ca_certificates => [ 'expected a valid UUID' ] } ],
        [ 'enabled must be a boolean', { host => 'x.test', enabled => 'yes' },
          'schema violation (enabled: expected a boolean)', { enabled => 'expected a boolean' } ],
        [ 'two errors are sorted by field', { port => 70000 },
          '2 schema violations (host: required field missing; port: value should be between 0 and 65535)',
          { host => 'required field missing', port => 'value should be between 0 and 65535' } ],
    );
    for my $c (@cases) {
        expect($c->[0], [ api_post('/services', $c->[1]) ], 400, violation($c->[2], $c->[3]));
    }
    is(sql_count('FROM services'), $before, 'nothing stored');
};

subtest 'protocol-dependent fields (entity checks)' => sub {
    my $cond = q{failed conditional validation given value of field 'protocol'};
    for my $p (qw(tcp tls udp grpc grpcs)) {
        expect("path with protocol $p", [ api_post('/services', { host => 'x.test', protocol => $p, path => '/' }) ], 400,
               violation("2 schema violations ($cond; path: value must be null)",
                         { '@entity' => [ $cond ], path => 'value must be null' }));
    }
    expect('tls_verify with protocol http', [ api_post('/services', { host => 'x.test', tls_verify => jtrue() }) ], 400,
           violation("2 schema violations ($cond; tls_verify: value must be null)",
                     { '@entity' => [ $cond ], tls_verify => 'value must be null' }));
    expect('tls_verify_depth with protocol http', [ api_post('/services', { host => 'x.test', tls_verify_depth => 1 }) ], 400,
           violation("2 schema violations ($cond; tls_verify_depth: value must be null)",
                     { '@entity' => [ $cond ], tls_verify_depth => 'value must be null' }));
};

subtest 'boundary values are accepted' => sub {
    my @ok = (
        { host => 'b1.test', port => 0 },
        { host => 'b2.test', port => 65535 },
        { host => 'b3.test', retries => 0 },
        { host => 'b4.test', retries => 32767 },
        { host => 'b5.test', connect_timeout => 1, write_timeout => 1, read_timeout => 1 },
        { host => 'b6.test', connect_timeout => 2147483646, write_timeout => 2147483646, read_timeout => 2147483646 },
        { host => 'b7.test', protocol => 'https', tls_verify => jfalse(), tls_verify_depth => 0 },
        { host => 'b8.test', protocol => 'tls', tls_verify => jtrue(), tls_verify_depth => 64 },
        { host => 'b9.test', path => '/a%20b/c;d=e,f' },
        { host => 'b10.test', protocol => 'tcp', port => 5432 },
        { host => 'b11.test', protocol => 'udp', port => 53 },
        { host => 'b12.test', name => 'a.b-c_d~e' },
    );
    for my $in (@ok) {
        my ($st, $b, $res) = api_post('/services', $in);
        status_is($res, 201, 'accepted: ' . json_enc($in));
        json_match($b, service_expect(%$in), 'echoed: ' . json_enc($in));
    }
};

subtest 'PATCH validates the merged entity' => sub {
    my (undef, $s) = api_post('/services', { name => 'merged', url => 'http://merged.test/p' });
    my $cond = q{failed conditional validation given value of field 'protocol'};
    expect('switching to tcp while a path is set', [ api_patch('/services/merged', { protocol => 'tcp' }) ], 400,
           violation("2 schema violations ($cond; path: value must be null)",
                     { '@entity' => [ $cond ], path => 'value must be null' }));
    my ($st, $b) = api_patch('/services/merged', { protocol => 'tcp', path => undef });
    is($st, 200, 'switching to tcp and clearing the path together works');
    is($b->{protocol}, 'tcp', 'protocol is tcp');
};

subtest 'url together with explicit fields' => sub {
    my ($st, $b, $res) = api_post('/services', { name => 'with-url', url => 'https://u.test:8443/x', retries => 1 });
    status_is($res, 201, 'url plus other fields');
    json_match($b, service_expect(name => 'with-url', protocol => 'https', host => 'u.test', port => 8443,
                                  path => '/x', retries => 1), 'url fields and explicit fields combined');
};

subtest 'form-encoded url and numbers are coerced' => sub {
    my ($st, $b, $res) = api_post('/services', form => 'name=form-url&url=https://f.test:444/y&retries=2&enabled=false');
    status_is($res, 201, 'form POST');
    json_match($b, service_expect(name => 'form-url', protocol => 'https', host => 'f.test', port => 444,
                                  path => '/y', retries => 2, enabled => jfalse()),
               'url parsed, integer and boolean coerced');
    expect('form: url="invalid url"', [ api_post('/services', form => 'url=invalid%20url') ], 400,
           violation('2 schema violations (host: required field missing; path: should start with: /)',
                     { host => 'required field missing', path => 'should start with: /' }));
};
