# Listing, keyset pagination and tags filters (kong-behaviour.md §1.5, §1.6).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;
use MIME::Base64 ();

plan tests => 14, need_lwp;

reset_db();

sub esc { seg($_[0]) }    # ngx.escape_uri: everything but A-Za-z0-9-._~

sub ids   { [ map { $_->{id} } @{ $_[0]{data} || [] } ] }
sub names { [ sort map { $_->{name} // '' } @{ $_[0]{data} || [] } ] }

sub options_error {
    my $msg = shift;
    return { code => 11, name => 'invalid options', message => "invalid option (tags: $msg)",
             options => { tags => $msg } };
}

subtest 'empty collections' => sub {
    for my $c (qw(/services /routes)) {
        my ($st, $b, $res) = api_get($c);
        is($st, 200, "GET $c");
        json_match($b, { data => [], next => undef }, "$c: exactly {data:[],next:null}");
        like($res->content, qr/"data"\s*:\s*\[\s*\]/, "$c: data is an array, not {}");
    }
};

subtest 'lists are ordered by id, not by creation time' => sub {
    my @ids = ('ffffffff-0000-4000-8000-000000000001', '80000000-0000-4000-8000-000000000001',
               '10000000-0000-4000-8000-000000000001');
    for my $i (0 .. $#ids) {
        my ($st) = api_post('/services', { id => $ids[$i], name => "ord$i", host => 'ord.test' });
        is($st, 201, "created $ids[$i]");
    }
    my ($st, $b) = api_get('/services');
    is_deeply(ids($b), [ reverse @ids ], 'ascending UUID order');
    reset_db();
};

my @all;    # the eight paging services, in id order
subtest 'setup: eight services' => sub {
    for my $i (1 .. 8) {
        my ($st) = api_post('/services', { name => "p$i", host => "p$i.test" });
        is($st, 201, "p$i");
    }
    my ($st, $b) = api_get('/services?size=1000');
    @all = @{ ids($b) };
    is(scalar @all, 8, 'eight listed');
    is_deeply(\@all, [ sort @all ], 'sorted by id');
    ok(!defined $b->{next} && !exists $b->{offset}, 'one page: next null, no offset key');
};

subtest 'size, offset and next' => sub {
    my ($st, $p1, $res) = api_get('/services?size=3');
    is($st, 200, 'page 1');
    is_deeply(ids($p1), [ @all[0 .. 2] ], 'first three ids');
    my $tok = $p1->{offset};
    ok(defined $tok && !ref $tok && length $tok, 'offset token present');
    like($tok // '', qr/\A[A-Za-z0-9_-]+\z/, 'URL-safe base64 without padding');
    json_match(json_dec(b64url_decode($tok // '')), [ $all[2] ], 'token is base64url of ["<last id>"]');
    is($p1->{next}, '/services?offset=' . esc($tok // '') . '&size=3', 'next carries offset and size');

    my ($st2, $p2) = api_get($p1->{next});
    is($st2, 200, 'page 2 via next');
    is_deeply(ids($p2), [ @all[3 .. 5] ], 'next three ids');
    is($p2->{next}, '/services?offset=' . esc($p2->{offset} // '') . '&size=3', 'size propagated again');

    my ($st3, $p3, $res3) = api_get($p2->{next});
    is($st3, 200, 'page 3 via next');
    is_deeply(ids($p3), [ @all[6 .. 7] ], 'last two ids');
    ok(exists $p3->{next} && !defined $p3->{next}, 'next is null on the last page');
    ok(!exists $p3->{offset}, 'offset key absent on the last page');

    my ($st4, $rest) = api_get('/services?offset=' . esc($tok));
    is($st4, 200, 'offset alone (decK style), default size 100');
    is_deeply(ids($rest), [ @all[3 .. 7] ], 'everything after the token');
};

subtest 'exactly size remaining rows: no extra empty page' => sub {
    my ($st, $b) = api_get('/services?size=8');
    is_deeply(ids($b), \@all, 'size=8 returns all eight');
    ok(!defined $b->{next} && !exists $b->{offset}, 'and no next page');
    my ($s1, $p1) = api_get('/services?size=4');
    ok(defined $p1->{next}, 'size=4: a second page exists');
    my ($s2, $p2) = api_get($p1->{next});
    is_deeply(ids($p2), [ @all[4 .. 7] ], 'second page has the last four');
    ok(!defined $p2->{next} && !exists $p2->{offset}, 'and it is the last page');
    my ($s3, $p3) = api_get('/services?size=1000');
    is(scalar @{ $p3->{data} }, 8, 'size=1000 is allowed');
};

subtest 'keyset semantics of the token' => sub {
    my $zero = MIME::Base64::encode_base64url('["00000000-0000-4000-8000-000000000000"]');
    my ($st, $b) = api_get("/services?offset=$zero");
    is($st, 200, 'token holding an id below every row');
    is_deeply(ids($b), \@all, 'rows with id > token');
    my $last = MIME::Base64::encode_base64url(qq{["$all[7]"]});
    ($st, $b) = api_get("/services?offset=$last");
    is($st, 200, 'token holding the last id');
    json_match($b, { data => [], next => undef }, 'nothing after it');
};

subtest 'invalid size' => sub {
    expect('size=x', [ api_get('/services?size=x') ], 400,
           { code => 9, name => 'invalid size', message => 'size must be a number' });
    for my $s (qw(0 1001 -1 1.5)) {
        expect("size=$s", [ api_get("/services?size=$s") ], 400,
               { code => 9, name => 'invalid size', message => 'size must be an integer between 1 and 1000' });
    }
    expect('size=x on routes', [ api_get('/routes?size=x') ], 400,
           { code => 9, name => 'invalid size', message => 'size must be a number' });
};

subtest 'invalid offset' => sub {
    expect('offset=x', [ api_get('/services?offset=x') ], 400,
           { code => 7, name => 'invalid offset', message => q{'x' is not a valid offset: bad base64 encoding} });
    my $hello = MIME::Base64::encode_base64url('hello');
    expect('offset=base64("hello")', [ api_get("/services?offset=$hello") ], 400,
           { code => 7, name => 'invalid offset', message => qq{'$hello' is not a valid offset: bad json encoding} });
    my ($st, $b) = api_get('/routes?offset=%7Cpotato%7C');
    is($st, 400, 'offset=|potato| on routes');
    is($b && $b->{code}, 7, 'code 7');
    is($b && $b->{name}, 'invalid offset', 'invalid offset');
};

subtest 'unknown query parameters are ignored' => sub {
    my ($st, $b) = api_get('/services?foo=bar');
    is($st, 200, 'GET /services?foo=bar');
    is_deeply(ids($b), \@all, 'a normal listing');
};

subtest 'nested lists: next keeps the parent as given and drops size' => sub {
    my (undef, $s) = api_post('/services', { name => 'pg-svc', host => 'pg.test' });
    my @r;
    for my $i (1 .. 3) {
        my (undef, $r) = api_post('/services/pg-svc/routes', { name => "pr$i", paths => [ "/pr$i" ], tags => [ 'rt' ] });
        push @r, $r->{id};
    }
    @r = sort @r;
    my ($st, $b) = api_get('/services/pg-svc/routes?size=2');
    is($st, 200, 'nested page 1');
    is_deeply(ids($b), [ @r[0, 1] ], 'first two routes');
    is($b->{next}, '/services/pg-svc/routes?offset=' . esc($b->{offset} // ''), 'next by name, no size');
    my ($st2, $b2) = api_get($b->{next});
    is($st2, 200, 'follow nested next');
    is_deeply(ids($b2), [ $r[2] ], 'the remaining route (default size)');
    ok(!defined $b2->{next}, 'last nested page');

    my ($st3, $b3) = api_get("/services/$s->{id}/routes?size=2");
    is($b3->{next}, "/services/$s->{id}/routes?offset=" . esc($b3->{offset} // ''), 'next by id, no size');

    my ($st4, $b4) = api_get('/services/pg-svc/routes?tags=zzz');
    is($st4, 200, 'tags on a nested list');
    is(scalar @{ $b4->{data} }, 3, 'tags are ignored on nested lists');
    # reference silent on malformed tags on nested lists (Kong still validates the
    # option there and answers 400); not asserted.
};

subtest 'tags filter: single, AND, OR' => sub {
    my %tags = ('t-s1' => [ 'a', 'b' ], 't-s2' => [ 'a' ], 't-s3' => [ 'b' ], 't-s4' => [ 'c' ],
                't-s5' => undef, 't-s6' => [ 'corp a', '🦍' ]);
    for my $n (sort keys %tags) {
        my ($st) = api_post('/services', { name => $n, host => 't.test', tags => $tags{$n} });
        is($st, 201, "created $n");
    }
    my @cases = (
        [ 'a',   [ 't-s1', 't-s2' ] ],
        [ 'a,b', [ 't-s1' ] ],
        [ 'a/b', [ 't-s1', 't-s2', 't-s3' ] ],
        [ 'b/c', [ 't-s1', 't-s3', 't-s4' ] ],
        [ 'a,c', [] ],
        [ 'zzz', [] ],
        [ 'corp a', [ 't-s6' ] ],
        [ '🦍',  [ 't-s6' ] ],
    );
    for my $c (@cases) {
        my ($st, $b) = api_get('/services?tags=' . esc($c->[0]));
        is($st, 200, "tags=$c->[0]");
        is_deeply(names($b), $c->[1], "tags=$c->[0] selects @{$c->[1]}");
    }
    my ($st, $b) = api_get('/services?tags=a,b');
    is($st, 200, 'raw comma in the query');
    is_deeply(names($b), [ 't-s1' ], 'AND with a literal comma');
    ($st, $b) = api_get('/services?tags=a/b');
    is_deeply(names($b), [ 't-s1', 't-s2', 't-s3' ], 'OR with a literal slash');
    ($st, $b) = api_get('/routes?tags=rt');
    is($st, 200, 'tags on /routes');
    is(scalar @{ $b->{data} }, 3, 'routes filtered by tag');
};

subtest 'tags and pagination: next carries tags then size' => sub {
    my ($st, $b) = api_get('/services?tags=a&size=1');
    is($st, 200, 'tags=a&size=1');
    is(scalar @{ $b->{data} }, 1, 'one row');
    is($b->{next}, '/services?offset=' . esc($b->{offset} // '') . '&tags=a&size=1', 'next has &tags=a&size=1');
    my ($st2, $b2) = api_get($b->{next});
    is(scalar @{ $b2->{data} }, 1, 'second row');
    ok(!defined $b2->{next}, 'no third page');
    is_deeply([ sort map { $_->{name} } @{ $b->{data} }, @{ $b2->{data} } ], [ 't-s1', 't-s2' ], 'both a-tagged services');

    ($st, $b) = api_get('/services?tags=' . esc('a/b') . '&size=2');
    is($b->{next}, '/services?offset=' . esc($b->{offset} // '') . '&tags=a%2Fb&size=2', 'tags escaped in next');
    ($st2, $b2) = api_get($b->{next});
    is($st2, 200, 'follow');
    is(scalar @{ $b2->{data} }, 1, 'third OR match on page 2');
};

subtest 'invalid tags filters' => sub {
    expect('mixing , and / (a,b/c)', [ api_get('/services?tags=a,b/c') ], 400, options_error('invalid filter syntax'));
    expect('mixing / and , (a/b,c)', [ api_get('/services?tags=a/b,c') ], 400, options_error('invalid filter syntax'));
    expect('invalid byte', [ api_get('/services?tags=%FF') ], 400, options_error('invalid filter syntax'));
    expect('empty tags=', [ api_get('/services?tags=') ], 400, options_error('cannot be null'));
    expect('six tags', [ api_get('/services?tags=a,b,c,d,e,f') ], 400, options_error('cannot query more than 5 tags'));
    expect('routes: mixing', [ api_get('/routes?tags=a,b/c') ], 400, options_error('invalid filter syntax'));
};

subtest 'GET /tags and /tags/{tag}' => sub {
    my %id;
    for my $n (qw(t-s1 t-s2 t-s3 t-s4 t-s6)) {
        my (undef, $e) = api_get("/services/$n");
        $id{$n} = $e->{id};
    }
    my $rows = sub { [ sort { $a->{entity_id} cmp $b->{entity_id} } @{ $_[0]{data} || [] } ] };

    my ($st, $body) = api_get('/tags/a');
    is($st, 200, 'GET /tags/a') or return;
    json_match($rows->($body), [ sort { $a->{entity_id} cmp $b->{entity_id} }
                                 map { { tag => 'a', entity_name => 'services', entity_id => $id{$_} } } qw(t-s1 t-s2) ],
               'one {tag, entity_name, entity_id} row per tagged entity');
    ok(exists $body->{next} && !defined $body->{next}, 'next is null');

    ($st, $body) = api_get('/tags/rt');
    is($st, 200, 'GET /tags/rt');
    is(scalar @{ $body->{data} || [] }, 3, 'three routes');
    is_deeply([ map { $_->{entity_name} } @{ $body->{data} || [] } ], [ ('routes') x 3 ], 'entity_name routes');

    ($st, $body) = api_get('/tags/corp%20a');
    is($st, 200, 'GET /tags/corp%20a');
    json_match($body && $body->{data}, [ { tag => 'corp a', entity_name => 'services', entity_id => $id{'t-s6'} } ],
               'percent-encoded tag');

    ($st, $body) = api_get('/tags/does-not-exist');
    is($st, 200, 'unknown tag');
    json_match($body, { data => [], next => undef }, 'empty list');

    ($st, $body) = api_get('/tags');
    is($st, 200, 'GET /tags');
    is(scalar @{ $body->{data} || [] }, 10, 'every (tag, entity) pair');
    my ($st2, $body2) = api_get('/tags?tags=not_a_tag');
    is(scalar @{ $body2->{data} || [] }, 10, '/tags ignores ?tags=');

    ($st, $body) = api_get('/tags/%FF');
    is($st, 400, 'invalid UTF-8 tag is 400');
    like($body && $body->{message}, qr/invalid utf-8/, 'message says invalid utf-8');
};
