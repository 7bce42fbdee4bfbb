# /upstreams/{u}/targets (kong-behaviour.md §1.4, §1.5, §2.6; cases follow
# Kong's spec/02-integration/04-admin_api/08-targets_routes_spec.lua).
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
my $INVALID     = 'Invalid target; not a valid hostname or ip address';

# Kong's target timestamps: seconds with up to three decimals
sub any_ms_ts {
    matches('a timestamp in seconds with at most millisecond decimals, near now', sub {
        my $v = shift;
        return 0 unless defined $v && !ref $v && json_enc($v) =~ /\A\d+(?:\.\d{1,3})?\z/;
        return abs($v - time) < 3600;
    });
}

sub target_expect {
    my ($upstream, %over) = @_;
    return { id => any_uuid(), created_at => any_ms_ts(), updated_at => any_ms_ts(),
             upstream => { id => $upstream->{id} }, target => undef, weight => 100, tags => undef, %over };
}

sub violation {
    my ($field, $msg) = @_;
    return { code => 2, name => 'schema violation', message => "schema violation ($field: $msg)",
             fields => { $field => $msg } };
}

# Sets a target's created_at (seconds, fractions allowed) to order them.
sub set_created {
    my ($id, $epoch) = @_;
    GwTest::psql("UPDATE targets SET created_at = to_timestamp($epoch) WHERE id = '$id'");
}

my (undef, $up)    = api_post('/upstreams', { name => 'tu', slots => 10 });
my (undef, $other) = api_post('/upstreams', { name => 'tu-other', slots => 10 });

subtest '/targets itself is not an endpoint' => sub {
    for my $p ('/targets', '/targets/x', '/targets/x/upstream') {
        expect("GET $p", [ api_get($p) ], 404, $NOT_FOUND);
    }
    expect('POST /targets', [ api_post('/targets', { target => 'a.test', upstream => { id => $up->{id} } }) ],
           404, $NOT_FOUND);
};

subtest 'POST creates a target with defaults, in every body encoding' => sub {
    my @enc = ([ json => { target => 'konghq.test' } ], [ form => [ target => 'konghq2.test' ] ],
               [ multipart => [ target => 'konghq3.test' ] ]);
    for my $e (@enc) {
        my ($st, $b, $res) = api_request('POST', '/upstreams/tu/targets/', @$e);
        status_is($res, 201, "$e->[0]: 201 (trailing slash tolerated)");
        my $name = ref $e->[1] eq 'HASH' ? $e->[1]{target} : $e->[1][1];
        json_match($b, target_expect($up, target => "$name:8000"), "$e->[0]: port 8000, weight 100");
    }
    my ($st, $b) = api_post("/upstreams/$up->{id}/targets", { target => 'konghq.test:123', weight => 99 });
    is($st, 201, 'by upstream id, with port and weight');
    json_match($b, target_expect($up, target => 'konghq.test:123', weight => 99), 'as given');
    ($st, $b) = api_post('/upstreams/tu/targets', form => [ target => 'zero.weight.test:8080', weight => 0 ]);
    is($st, 201, 'weight 0 (form)');
    json_match($b, target_expect($up, target => 'zero.weight.test:8080', weight => 0), 'weight 0 is kept');
    expect('GET it back by address', [ api_get('/upstreams/tu/targets/zero.weight.test:8080') ], 200, $b);
    ($st, $b) = api_post('/upstreams/tu/targets', { target => '::1', tags => [ 'v6' ] });
    json_match($b, target_expect($up, target => '[0000:0000:0000:0000:0000:0000:0000:0001]:8000',
                                 tags => [ 'v6' ]),
               'IPv6 written out in brackets');
    ($st, $b) = api_post('/upstreams/tu/targets', { target => '010.000.000.001:81',
                                                    upstream => { id => $other->{id} } });
    json_match($b, target_expect($up, target => '10.0.0.1:81'),
               'IPv4 without leading zeros; the URL upstream wins over the body');
};

subtest 'POST errors' => sub {
    my $before = sql_count('FROM targets');
    for my $e ([ json => { weight => 0 } ], [ form => [ weight => 0 ] ]) {
        expect("$e->[0]: target missing", [ api_request('POST', '/upstreams/tu/targets', @$e) ], 400,
               violation(target => 'required field missing'));
    }
    expect('not an address', [ api_post('/upstreams/tu/targets', { target => 'some invalid host name' }) ],
           400, violation(target => $INVALID));
    expect('a port out of range', [ api_post('/upstreams/tu/targets', { target => 'konghq.test:65536' }) ],
           400, violation(target => $INVALID));
    expect('weight too large', [ api_post('/upstreams/tu/targets', { target => 'konghq.test', weight => 65536 }) ],
           400, violation(weight => 'value should be between 0 and 65535'));
    expect('malformed JSON', [ api_post('/upstreams/tu/targets', raw => '{"hello": "world"',
                                        type => 'application/json') ],
           400, { message => 'Cannot parse JSON body' });
    expect('absent upstream', [ api_post('/upstreams/absent/targets', { target => 'a.test' }) ], 404, $NOT_FOUND);
    is(sql_count('FROM targets'), $before, 'nothing stored');
};

subtest 'one address once per upstream: 409' => sub {
    my ($st, $b) = api_post('/upstreams/tu/targets', { target => 'single-target.test:8080', weight => 1 });
    is($st, 201, 'first');
    expect('again', [ api_post('/upstreams/tu/targets', { target => 'single-target.test:8080', weight => 100 }) ],
           409, { code => 5, name => 'unique constraint violation',
                  message => qq{UNIQUE violation detected on '{target="single-target.test:8080",upstream={id="$up->{id}"}}'},
                  fields => { target => 'single-target.test:8080', upstream => { id => $up->{id} } } });
    expect('the same address spelled without the default port',
           [ api_post('/upstreams/tu/targets', { target => 'konghq.test' }) ], 409, undef);
    ($st) = api_post('/upstreams/tu-other/targets', { target => 'single-target.test:8080' });
    is($st, 201, 'the same address under another upstream');
};

subtest 'GET lists the targets of the upstream, newest first' => sub {
    my (undef, $list) = api_get('/upstreams/tu/targets?size=1000');
    my @ids = map { $_->{id} } @{ $list->{data} };
    my $t = 1600000000;
    set_created($_, $t--) for @ids;    # the first listed becomes the newest
    GwTest::psql("UPDATE targets SET created_at = to_timestamp(1700000000.5) WHERE target = 'konghq.test:123'");
    my ($st, $b) = api_get('/upstreams/tu/targets');
    is($st, 200, 'GET /upstreams/tu/targets');
    is($b->{data}[0]{target}, 'konghq.test:123', 'the newest first');
    is($b->{data}[0]{created_at}, 1700000000.5, 'its created_at read back with the fraction');
    is_deeply([ map { $_->{id} } @{ $b->{data} }[ 1 .. $#{ $b->{data} } ] ],
              [ grep { $_ ne $b->{data}[0]{id} } @ids ], 'then by created_at, descending');
    ok(!grep({ $_->{upstream}{id} ne $up->{id} } @{ $b->{data} }), 'only targets of tu');
    ok(exists $b->{next} && !defined $b->{next} && !exists $b->{offset}, 'one page');
    my ($st2, $b2) = api_get('/upstreams/tu/targets/');
    is_deeply($b2, $b, 'trailing slash');
    ($st2, $b2) = api_get("/upstreams/$up->{id}/targets");
    is_deeply($b2, $b, 'by upstream id');
};

subtest 'paging through the list: decimal offsets' => sub {
    my (undef, $all) = api_get('/upstreams/tu/targets');
    my $n = scalar @{ $all->{data} };
    my ($st, $b) = api_get('/upstreams/tu/targets?size=3');
    is(scalar @{ $b->{data} }, 3, 'size=3');
    is($b->{offset}, '3', 'the offset is the decimal position');
    is($b->{next}, '/upstreams/tu/targets?offset=3', 'next: no size, the upstream as given');
    my @seen = @{ $b->{data} };
    while (defined $b->{next}) {
        ($st, $b) = api_get("/upstreams/tu/targets?size=3&offset=$b->{offset}");
        is($st, 200, "page at offset " . scalar @seen);
        push @seen, @{ $b->{data} };
    }
    is_deeply([ map { $_->{id} } @seen ], [ map { $_->{id} } @{ $all->{data} } ], "$n targets, each once, in order");
    ($st, $b) = api_get("/upstreams/$up->{id}/targets?size=2");
    is($b->{next}, "/upstreams/$up->{id}/targets?offset=2", 'next by upstream id');
    expect('an offset that is not a number', [ api_get('/upstreams/tu/targets?offset=abc') ], 400,
           { code => 7, name => 'invalid offset', message => q{'abc' is not a valid offset: bad integer} });
    expect('size=0', [ api_get('/upstreams/tu/targets?size=0') ], 400,
           { code => 9, name => 'invalid size', message => 'size must be an integer between 1 and 1000' });
};

subtest 'empty lists' => sub {
    my (undef, $empty) = api_post('/upstreams', { name => 'tu-empty' });
    my ($st, undef, $res) = api_get('/upstreams/tu-empty/targets');
    is($st, 200, 'GET');
    like($res->content, qr/"data":\[\]/, 'data is an empty array');
    expect('targets', [ api_get('/upstreams/tu-empty/targets') ], 200, { data => [], next => undef });
    expect('targets/all', [ api_get('/upstreams/tu-empty/targets/all') ], 200, { data => [], next => undef });
    expect('absent upstream', [ api_get('/upstreams/absent/targets') ], 404, $NOT_FOUND);
};

subtest '/upstreams/{u}/targets/all: every row, in id order' => sub {
    my (undef, $list) = api_get('/upstreams/tu/targets');
    my ($st, $b) = api_get('/upstreams/tu/targets/all');
    is($st, 200, 'GET');
    is_deeply([ sort map { $_->{id} } @{ $b->{data} } ], [ sort map { $_->{id} } @{ $list->{data} } ],
              'the same targets');
    is_deeply([ map { $_->{id} } @{ $b->{data} } ], [ sort map { $_->{id} } @{ $b->{data} } ], 'in id order');
    ($st, $b) = api_get('/upstreams/tu/targets/all?size=3');
    ok(!ref $b->{offset} && length $b->{offset}, 'the offset is a string');
    is($b->{next}, '/upstreams/tu/targets/all?offset=' . seg($b->{offset}), 'next ends with /targets/all');
    my ($st2, $b2) = api_get('/upstreams/tu/targets/all?size=3&offset=' . seg($b->{offset}));
    ok($b2->{data}[0]{id} gt $b->{data}[2]{id}, 'the next page follows');
    ($st) = api_get('/upstreams/tu/targets/all?foo=bar');
    is($st, 200, 'ignores filters');
    ($st) = api_get('/upstreams/tu/targets/all', raw => 'this fails if decoded as json', type => 'application/json');
    is($st, 200, 'ignores an invalid body');
    expect('POST', [ api_post('/upstreams/tu/targets/all', { target => 'a.test' }) ], 405, $NOT_ALLOWED);
};

subtest 'GET one target, by address or id, only under its upstream' => sub {
    my (undef, $t) = api_post('/upstreams/tu/targets', { target => 'api-2:80', weight => 10 });
    expect('by address', [ api_get('/upstreams/tu/targets/api-2:80') ], 200, $t);
    expect('by id', [ api_get("/upstreams/tu/targets/$t->{id}") ], 200, $t);
    expect('by id under the upstream id', [ api_get("/upstreams/$up->{id}/targets/$t->{id}") ], 200, $t);
    expect('the address must be written as stored', [ api_get('/upstreams/tu/targets/api-2') ], 404, $NOT_FOUND);
    expect('under another upstream, by id', [ api_get("/upstreams/tu-other/targets/$t->{id}") ], 404, $NOT_FOUND);
    my (undef, $o) = api_get('/upstreams/tu-other/targets/single-target.test:8080');
    is($o->{upstream}{id}, $other->{id}, 'the same address finds the target of the upstream in the URL');
    expect('not an address at all', [ api_get('/upstreams/tu/targets/not%20valid') ], 404, $NOT_FOUND);
    expect('absent upstream', [ api_get('/upstreams/absent/targets/api-2:80') ], 404, $NOT_FOUND);
};

subtest 'PATCH updates; timestamps keep milliseconds' => sub {
    my (undef, $t) = api_get('/upstreams/tu/targets/api-2:80');
    GwTest::psql("UPDATE targets SET updated_at = to_timestamp(1000000000.25) WHERE id = '$t->{id}'");
    my ($st, $b, $res) = api_patch('/upstreams/tu/targets/api-2:80', { weight => 659 });
    status_is($res, 200, 'PATCH by address');
    json_match($b, target_expect($up, id => $t->{id}, target => 'api-2:80', weight => 659,
                                 created_at => $t->{created_at}),
               'weight changed, created_at kept');
    ok($b->{updated_at} > 1000000000.25, 'updated_at moved');
    my ($ms) = sql_lines(q{to_char(updated_at, 'MS')}, "FROM targets WHERE id = '$t->{id}'");
    my $frac = sprintf('%03d', int(($b->{updated_at} - int($b->{updated_at})) * 1000 + 0.5));
    is($ms, $frac, 'the column keeps the milliseconds the API showed');
    expect('GET shows the change', [ api_get('/upstreams/tu/targets/api-2:80') ], 200, $b);
    ($st, $b) = api_patch("/upstreams/tu/targets/$t->{id}", form => [ weight => 5 ]);
    is($b->{weight}, 5, 'PATCH by id, form-encoded');
    expect('an invalid weight', [ api_patch('/upstreams/tu/targets/api-2:80', { weight => -1 }) ], 400,
           violation(weight => 'value should be between 0 and 65535'));
    expect('absent', [ api_patch('/upstreams/tu/targets/absent:80', { weight => 1 }) ], 404, $NOT_FOUND);
    expect('to an address the upstream has', [ api_patch('/upstreams/tu/targets/api-2:80',
                                                         { target => 'konghq.test:123' }) ], 409, undef);
};

subtest 'PUT behaves as an update' => sub {
    my (undef, $t) = api_get('/upstreams/tu/targets/api-2:80');
    my ($st, $b, $res) = api_put("/upstreams/tu/targets/$t->{id}", { target => 'api-2:801' });
    status_is($res, 200, 'PUT by id');
    json_match($b, target_expect($up, id => $t->{id}, target => 'api-2:801', weight => 5,
                                 created_at => $t->{created_at}),
               'fields not given are kept (weight 5), not reset');
    expect('GET by id', [ api_get("/upstreams/tu/targets/$t->{id}") ], 200, $b);
    ($st, $b) = api_put('/upstreams/tu/targets/api-2:801', { target => 'api-2:8011' });
    is($st, 200, 'PUT by address');
    expect('the old address is gone', [ api_get('/upstreams/tu/targets/api-2:801') ], 404, $NOT_FOUND);
    expect('the new one is there', [ api_get('/upstreams/tu/targets/api-2:8011') ], 200, $b);
    my $count = sql_count('FROM targets');
    expect('PUT on an absent address does not create', [ api_put('/upstreams/tu/targets/new.test:80', {}) ],
           404, $NOT_FOUND);
    expect('nor on an absent id',
           [ api_put('/upstreams/tu/targets/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b', { target => 'n.test' }) ],
           404, $NOT_FOUND);
    is(sql_count('FROM targets'), $count, 'nothing created');
};

subtest 'DELETE by address and by id' => sub {
    my (undef, $a) = api_post('/upstreams/tu/targets', { target => 'del-1.test:80' });
    my (undef, $b) = api_post('/upstreams/tu/targets', { target => 'del-2.test:80' });
    my $all = sql_count("FROM targets WHERE upstream_id = '$up->{id}'");
    expect('by address', [ api_delete('/upstreams/tu/targets/del-1.test:80') ], 204, '');
    expect('by id', [ api_delete("/upstreams/tu/targets/$b->{id}") ], 204, '');
    my (undef, $raw) = api_get('/upstreams/tu/targets/all');
    is(scalar @{ $raw->{data} }, $all - 2, 'targets/all has two rows fewer');
    my (undef, $list) = api_get('/upstreams/tu/targets');
    ok(!grep({ $_->{target} =~ /^del-/ } @{ $list->{data} }), 'neither is listed');
    expect('absent: 404 (only under an upstream)', [ api_delete('/upstreams/tu/targets/del-1.test:80') ],
           404, $NOT_FOUND);
    my (undef, $o) = api_get('/upstreams/tu-other/targets/single-target.test:8080');
    expect("another upstream's target by id", [ api_delete("/upstreams/tu/targets/$o->{id}") ], 404, $NOT_FOUND);
    is(sql_count("FROM targets WHERE id = '$o->{id}'"), 1, 'still there');
};

subtest 'methods' => sub {
    for my $m (qw(PUT PATCH DELETE)) {
        expect("$m on the collection", [ api_request($m, '/upstreams/tu/targets', json => { target => 'a.test' }) ],
               405, $NOT_ALLOWED);
    }
    my ($st, undef, $res) = api_options('/upstreams/tu/targets');
    is($res->header('Allow'), 'GET, HEAD, OPTIONS, POST', 'collection methods');
    ($st, undef, $res) = api_options('/upstreams/tu/targets/konghq.test:123');
    is($res->header('Allow'), 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT', 'entity methods');
    ($st, undef, $res) = api_options('/upstreams/tu/targets/all');
    is($res->header('Allow'), 'GET, HEAD, OPTIONS', 'targets/all is read-only');
};

subtest "stored rows follow Kong's columns" => sub {
    my ($row) = sql_lines(q{t.target || '|' || t.weight || '|' || u.name || '|' || pg_typeof(t.created_at)::text},
                          q{FROM targets t JOIN upstreams u ON u.id = t.upstream_id WHERE t.target = 'konghq.test:123'});
    is($row, 'konghq.test:123|99|tu|timestamp with time zone', 'target, weight, upstream_id');
};

subtest 'tags and endpoints know targets' => sub {
    my ($st, $b) = api_get('/tags/v6');
    json_match([ map { $_->{entity_name} } @{ $b->{data} } ], [ 'targets' ], 'the tagged target');
    ($st, $b) = api_get('/endpoints');
    my %have = map { $_ => 1 } @{ $b->{data} || [] };
    ok($have{'/upstreams/{upstreams}/targets/all'}, 'lists /upstreams/{upstreams}/targets/all');
};
