# Hostile and malformed input: wrong types, unknown fields, invalid UTF-8, SQL
# metacharacters, unknown ids, deep nesting, huge bodies (kong-behaviour.md §1.2,
# §1.3, §1.6, §2.1, §2.2).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use MIME::Base64 ();
use GwAdmin;

plan tests => 13, need_lwp;

reset_db();

sub violation {
    my ($message, $fields) = @_;
    return { code => 2, name => 'schema violation', message => $message, fields => $fields };
}
sub one { my ($f, $m) = @_; violation("schema violation ($f: $m)", { $f => $m }) }

my (undef, $svc) = api_post('/services', { name => 'bad-svc', host => 'bad.test' });
my $GHOST = '0d4c7a3e-2f1b-4e6a-9c8d-7b6a5f4e3d2c';

subtest 'wrong JSON types on services' => sub {
    my @cases = (
        [ { host => 'x.test', port => '80' },        one('port', 'expected an integer') ],
        [ { host => 'x.test', retries => 1.5 },      one('retries', 'expected an integer') ],
        [ { host => 'x.test', enabled => 'true' },   one('enabled', 'expected a boolean') ],
        [ { host => 'x.test', name => 123 },         one('name', 'expected a string') ],
        [ { host => [ 'x.test' ] },                  one('host', 'expected a string') ],
        [ { host => 'x.test', tags => 'a' },         one('tags', 'expected a set') ],
        [ { host => 'x.test', tags => [ 1 ] },
          violation('schema violation (tags.1: expected a string)', { tags => [ 'expected a string' ] }) ],
        [ { host => 'x.test', read_timeout => jtrue() }, one('read_timeout', 'expected an integer') ],
        [ { host => undef },                         one('host', 'required field missing') ],
        [ { host => 'x.test', retries => 2147483648 }, one('retries', 'value should be between 0 and 32767') ],
    );
    my $before = sql_count('FROM services');
    for my $c (@cases) {
        expect('POST ' . json_enc($c->[0]), [ api_post('/services', $c->[0]) ], 400, $c->[1]);
    }
    is(sql_count('FROM services'), $before, 'nothing stored');
};

subtest 'wrong JSON types on routes' => sub {
    my @cases = (
        [ { paths => '/a' },                        one('paths', 'expected an array') ],
        [ { paths => [ '/a' ], methods => 'GET' },  one('methods', 'expected a set') ],
        [ { hosts => [ 1 ] },
          violation('schema violation (hosts.1: expected a string)', { hosts => [ 'expected a string' ] }) ],
        [ { paths => [ '/a' ], strip_path => 'false' }, one('strip_path', 'expected a boolean') ],
        [ { paths => [ '/a' ], headers => { 'x-a' => 'v' } }, one('headers', 'expected an array') ],
        [ { paths => [ '/a' ], regex_priority => '1' }, one('regex_priority', 'expected an integer') ],
        # reference silent: a bare string for a foreign key. Kong looks for the id
        # inside it ("service.id: missing primary key"); "expected a record" is
        # the other defensible answer.
        [ { paths => [ '/a' ], service => $svc->{id} },
          any_of(violation('schema violation (service.id: missing primary key)',
                           { service => { id => 'missing primary key' } }),
                 one('service', 'expected a record')) ],
    );
    my $before = sql_count('FROM routes');
    for my $c (@cases) {
        expect('POST ' . json_enc($c->[0]), [ api_post('/routes', $c->[0]) ], 400, $c->[1]);
    }
    is(sql_count('FROM routes'), $before, 'nothing stored');
};

subtest 'unknown fields' => sub {
    expect('one unknown field', [ api_post('/services', { host => 'x.test', foo => 'bar' }) ], 400,
           one('foo', 'unknown field'));
    expect('two unknown fields, sorted', [ api_post('/services', { host => 'x.test', zeta => 1, alpha => 2 }) ], 400,
           violation('2 schema violations (alpha: unknown field; zeta: unknown field)',
                     { alpha => 'unknown field', zeta => 'unknown field' }));
    expect('unknown field on a route', [ api_post('/routes', { paths => [ '/u' ], expression => 'x' }) ], 400,
           one('expression', 'unknown field'));
    expect('unknown field with a nested value',
           [ api_post('/services', { host => 'x.test', foo => { a => { b => { c => [ 1, { d => 2 } ] } } } }) ], 400,
           one('foo', 'unknown field'));
    expect('unknown field on PATCH', [ api_patch('/services/bad-svc', { foo => 'bar' }) ], 400,
           one('foo', 'unknown field'));
    my (undef, $s) = api_get('/services/bad-svc');
    json_match($s, service_expect(name => 'bad-svc', host => 'bad.test'), 'entity untouched by the failed PATCH');
    expect('unknown field next to url',
           [ api_post('/services', { url => 'http://u.test', foo => 1 }) ], 400, one('foo', 'unknown field'));
};

subtest 'invalid UTF-8' => sub {
    # reference silent on invalid UTF-8 (§2.1 only says UTF-8 names are
    # allowed). Kong decodes form bodies byte for byte and the name/tag
    # validators answer with the message below (kong.tools.string.validate_utf8).
    my $msg = 'invalid utf-8 character sequence detected at position 2';
    expect('service name (form)', [ api_post('/services', form => 'name=a%FFb&host=x.test') ], 400, one('name', $msg));
    expect('route name (form)', [ api_post('/routes', form => 'name=a%FFb&paths[]=/x') ], 400, one('name', $msg));
    expect('tag (form)', [ api_post('/services', form => 'host=x.test&tags[]=a%FFb') ], 400,
           violation("schema violation (tags.1: $msg)", { tags => [ $msg ] }));

    # reference silent on raw invalid bytes inside a JSON string: Kong's decoder
    # passes them to validation (the message above); refusing the body as
    # unparsable is also accepted here.  Either way nothing is stored.
    my ($st, $b) = api_post('/services', raw => qq({"name":"a\xFFb","host":"x.test"}), type => 'application/json');
    is($st, 400, 'raw invalid byte in a JSON string is 400');
    ok(defined $b && ((($b->{fields} || {})->{name} // '') eq $msg || ($b->{message} // '') eq 'Cannot parse JSON body'),
       'schema violation on name, or Cannot parse JSON body')
        or diag(json_enc($b));
    is(sql_count(q{FROM services WHERE host = 'x.test'}), 0, 'nothing stored');

    expect('control character in a name', [ api_post('/services', { name => "a\tb", host => 'x.test' }) ], 400,
           one('name', qq{invalid value 'a\tb': the only accepted ascii characters are alphanumerics or ., -, _, and ~}));
};

subtest 'invalid endpoint keys in the URL' => sub {
    # reference silent on the text; Kong validates the key with the name field's
    # validator before looking it up (error code 10, "invalid unique name").
    expect('GET /services/a%20b', [ api_get('/services/a%20b') ], 400,
           { code => 10, name => 'invalid unique name',
             message => q{invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~} });
    expect('GET /services/%FF', [ api_get('/services/%FF') ], 400,
           { code => 10, name => 'invalid unique name',
             message => 'invalid utf-8 character sequence detected at position 1' });
    my ($st) = api_get(q{/services/x'%20OR%20'1'='1});
    ok($st == 400 || $st == 404, "SQL in the key is refused or not found (got $st)");
    ($st) = api_get(q{/routes/x'%3B%20DROP%20TABLE%20routes%3B--});
    ok($st == 400 || $st == 404, "SQL in a route key is refused or not found (got $st)");
    ok(defined eval { sql_count('FROM routes') }, 'routes table still there');
};

# Strings a careless SQL layer (quoting, text[] literals, apr_dbd's %s/%d
# placeholders, $n parameters) would mangle.  Valid as tags: no ',' or '/'.
my @EVIL = ("'; DROP TABLE services; --", q{" OR "1"="1}, 'back\\slash', 'back\\\\double', '{brace}',
            '{ab}', 'NULL', 'null', ' padded ', '%s %d %%', '$1 $$', 'semi;colon', '円', "' OR 1=1 --",
            'quote"inside', q{it's});

subtest 'SQL metacharacters round-trip in service fields' => sub {
    my $in = { name => 'Robert~--.drop_tables', host => 'sql.test',
               path => q{/a';--(x)*+,=!$&:@%25}, tags => [ @EVIL ] };
    my ($st, $b, $res) = api_post('/services', $in);
    status_is($res, 201, 'created');
    json_match($b, service_expect(%$in), 'POST echoes every byte');
    my (undef, $g) = api_get('/services/Robert~--.drop_tables');
    json_match($g, service_expect(%$in), 'GET returns every byte');
    my ($s2, $p) = api_patch('/services/Robert~--.drop_tables', { tags => [ reverse @EVIL ] });
    is($s2, 200, 'PATCH with the same strings reversed');
    json_match($p->{tags}, [ reverse @EVIL ], 'order and bytes kept');
    ok(eval { sql_count('FROM services') }, 'services table intact');
};

subtest 'SQL metacharacters round-trip in route fields' => sub {
    my $in = { name => 'r~--_.x', paths => [ q{/a';--(x)*+,=!$&:@%25}, q{~/x'[;]--$} ],
               headers => { 'x-sql' => [ @EVIL, '{a,b}', 'x/y' ] }, tags => [ @EVIL ],
               service => { id => $svc->{id} } };
    my ($st, $b, $res) = api_post('/routes', $in);
    status_is($res, 201, 'created');
    json_match($b, route_expect(%$in), 'POST echoes every byte');
    my (undef, $g) = api_get("/routes/$b->{id}");
    json_match($g, route_expect(%$in), 'GET returns every byte');
    my ($s2, $l) = api_get('/services/bad-svc/routes');
    json_match($l->{data}, [ route_expect(%$in) ], 'listing returns every byte');
};

subtest 'SQL metacharacters in query parameters' => sub {
    my ($st, $b) = api_get('/services?tags=' . seg("'; DROP TABLE services; --"));
    is($st, 200, 'tag filter with SQL text');
    is_deeply([ map { $_->{name} } @{ $b->{data} } ], [ 'Robert~--.drop_tables' ], 'matches only the exact tag');
    ($st, $b) = api_get('/services?tags=' . seg(q{' OR '1'='1}));
    is($st, 200, 'tag filter that is an injection attempt');
    json_match($b, { data => [], next => undef }, 'matches nothing');
    ($st, $b) = api_get('/routes?tags=' . seg('%s %d %%'));
    is($st, 200, 'tag filter with printf/placeholder text');
    is(scalar @{ $b->{data} }, 1, 'the route with that tag');
    ($st) = api_get('/services?size=' . seg('1; DROP TABLE services'));
    is($st, 400, 'size with SQL is a 400');
    my $evil = MIME::Base64::encode_base64url(q{["' OR 1=1 --"]});
    ($st) = api_get("/services?offset=$evil");
    ok($st == 400 || $st == 200, "offset holding SQL text is refused or harmless (got $st)");
    ok(eval { sql_count('FROM services') }, 'services table intact');
};

subtest 'unknown ids' => sub {
    my $nf = { message => 'Not found' };
    expect('GET service', [ api_get("/services/$GHOST") ], 404, $nf);
    expect('PATCH service', [ api_patch("/services/$GHOST", { retries => 1 }) ], 404, $nf);
    expect('DELETE service', [ api_delete("/services/$GHOST") ], 204, '');
    expect('GET route', [ api_get("/routes/$GHOST") ], 404, $nf);
    expect('PATCH route', [ api_patch("/routes/$GHOST", { paths => [ '/x' ] }) ], 404, $nf);
    expect('DELETE route', [ api_delete("/routes/$GHOST") ], 204, '');
    expect('routes of an unknown service', [ api_get("/services/$GHOST/routes") ], 404, $nf);
    expect('service of an unknown route', [ api_get("/routes/$GHOST/service") ], 404, $nf);
    expect('unknown route of a known service', [ api_get("/services/bad-svc/routes/$GHOST") ], 404, $nf);
    is(sql_count("FROM services WHERE id = '$GHOST'"), 0, 'PATCH did not create');
};

subtest 'deeply nested JSON' => sub {
    my $deep = ('[' x 100000) . (']' x 100000);
    expect('100000 nested arrays', [ api_post('/services', raw => $deep, type => 'application/json') ], 400,
           { message => 'Cannot parse JSON body' });
    my $deep_obj = ('{"a":' x 20000) . '1' . ('}' x 20000);
    expect('20000 nested objects', [ api_post('/services', raw => $deep_obj, type => 'application/json') ], 400,
           { message => 'Cannot parse JSON body' });
    my $moderate = '{"host":"x.test","foo":' . ('[' x 20) . '1' . (']' x 20) . '}';
    expect('20 levels inside an unknown field', [ api_post('/services', raw => $moderate, type => 'application/json') ],
           400, one('foo', 'unknown field'));
    my ($st) = api_get('/status');
    is($st, 200, 'server still answers');
};

subtest 'large but valid bodies' => sub {
    # reference silent on limits below the body size limit; Kong has none for these.
    my $path = '/' . ('p' x 65535);
    my ($st, $b, $res) = api_post('/services', { name => 'long-path', host => 'long.test', path => $path });
    status_is($res, 201, '64 KiB path accepted');
    is($b && $b->{path}, $path, 'long path round-trips');

    my @tags = map { "tag-$_" } 1 .. 1000;
    ($st, $b, $res) = api_post('/services', { name => 'many-tags', host => 'many.test', tags => \@tags });
    status_is($res, 201, '1000 tags accepted');
    json_match($b && $b->{tags}, \@tags, '1000 tags round-trip in order');

    my $value = 'v' x 100000;
    ($st, $b, $res) = api_post('/routes', { paths => [ '/big-header' ], headers => { 'x-big' => [ $value ] } });
    status_is($res, 201, '100 KB header value accepted');
    is($b && $b->{headers}{'x-big'}[0], $value, 'header value round-trips');
};

subtest 'many errors at once' => sub {
    my %in = (host => 'x.test', map { sprintf('unknown%04d', $_) => 1 } 1 .. 2000);
    my ($st, $b) = api_post('/services', \%in);
    is($st, 400, '2000 unknown fields rejected');
    is($b && $b->{code}, 2, 'schema violation');
    is(scalar keys %{ ($b && $b->{fields}) || {} }, 2000, 'one field error each');
    like($b && $b->{message}, qr/\A2000 schema violations \(unknown0001: unknown field; unknown0002: unknown field; /,
         'counted and sorted');
};

subtest 'server is healthy after all of the above' => sub {
    my ($st, $b) = api_get('/status');
    is($st, 200, '/status');
    json_match($b->{database}, { reachable => jtrue() }, 'database reachable');
    ($st) = api_get('/services/bad-svc');
    is($st, 200, 'reads work');
};
