# Methods, OPTIONS, HEAD, 405, trailing slashes and unknown paths
# (kong-behaviour.md §1.1, §1.4).
use strict;
use warnings;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;

plan tests => 9, need_lwp;

reset_db();

my $NOT_FOUND   = { message => 'Not found' };
my $NOT_ALLOWED = { message => 'Method not allowed' };
my $COLLECTION  = 'GET, HEAD, OPTIONS, POST';
my $ENTITY      = 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT';
my $READ_ONLY   = 'GET, HEAD, OPTIONS';

my (undef, $s) = api_post('/services', { name => 'm-svc', host => 'm.test' });
my (undef, $r) = api_post('/services/m-svc/routes', { name => 'm-route', paths => [ '/m' ] });

subtest 'OPTIONS lists the methods of each path' => sub {
    my @cases = (
        [ '/',                             $READ_ONLY ],
        [ '/status',                       $READ_ONLY ],
        [ '/services',                     $COLLECTION ],
        [ '/services/m-svc',               $ENTITY ],
        [ "/services/$s->{id}",            $ENTITY ],
        [ '/services/does-not-exist',      $ENTITY ],
        [ '/routes',                       $COLLECTION ],
        [ '/routes/m-route',               $ENTITY ],
        [ '/routes/test',                  $ENTITY ],
        [ '/services/m-svc/routes',        $COLLECTION ],
        [ '/services/m-svc/routes/m-route', $ENTITY ],
        [ '/routes/m-route/service',       $ENTITY ],
    );
    for my $c (@cases) {
        my ($st, undef, $res) = api_options($c->[0]);
        is($st, 204, "OPTIONS $c->[0] is 204");
        is($res->content, '', "$c->[0]: empty body");
        is($res->header('Allow'), $c->[1], "$c->[0]: Allow");
        is($res->header('Access-Control-Allow-Methods'), $c->[1], "$c->[0]: Access-Control-Allow-Methods");
        is($res->header('Access-Control-Allow-Headers'), 'Content-Type', "$c->[0]: Access-Control-Allow-Headers");
        is($res->header('Access-Control-Allow-Origin'), '*', "$c->[0]: Access-Control-Allow-Origin");
        ok(defined $res->header('X-Kong-Admin-Latency'), "$c->[0]: X-Kong-Admin-Latency");
    }
};

subtest 'OPTIONS echoes CORS request headers and Origin' => sub {
    my ($st, undef, $res) = api_options('/services', headers => [
        'Access-Control-Request-Headers' => 'X-Custom, Authorization',
        'Access-Control-Request-Method'  => 'POST',
        Origin                           => 'http://gui.test:8002' ]);
    is($st, 204, 'preflight is 204');
    is($res->header('Access-Control-Allow-Headers'), 'X-Custom, Authorization', 'requested headers echoed');
    is($res->header('Access-Control-Allow-Origin'), 'http://gui.test:8002', 'Origin echoed');
    is($res->header('Access-Control-Allow-Credentials'), 'true', 'credentials allowed');
    is($res->header('Access-Control-Allow-Methods'), $COLLECTION, 'methods');
};

subtest 'unsupported methods are 405 with Kong\'s body' => sub {
    my @cases = (
        [ 'PUT',    '/services' ], [ 'PATCH', '/services' ], [ 'DELETE', '/services' ],
        [ 'PUT',    '/routes' ],   [ 'PATCH', '/routes' ],   [ 'DELETE', '/routes' ],
        [ 'POST',   '/services/m-svc' ], [ 'POST', '/routes/m-route' ],
        [ 'PUT',    '/services/m-svc/routes' ], [ 'DELETE', '/services/m-svc/routes' ],
        [ 'POST',   '/services/m-svc/routes/m-route' ], [ 'POST', '/routes/m-route/service' ],
        [ 'POST',   '/' ], [ 'PUT', '/status' ],
        [ 'GEEEET', '/' ], [ 'FOO', '/services' ], [ 'BREW', '/services/m-svc' ],
    );
    for my $c (@cases) {
        my @body = $c->[0] =~ /^(?:GET|HEAD|OPTIONS|DELETE)$/ ? () : (json => {});
        expect("$c->[0] $c->[1]", [ api_request($c->[0], $c->[1], @body) ], 405, $NOT_ALLOWED);
    }
    is(sql_count('FROM services'), 1, 'nothing created by refused methods');
    is(sql_count('FROM routes'), 1, 'nothing created or deleted');
};

subtest 'HEAD answers like GET without a body' => sub {
    for my $p ('/services', '/services/m-svc', "/routes/$r->{id}", '/services/m-svc/routes', '/status') {
        my (undef, undef, $get) = api_get($p);
        my ($st, undef, $head) = api_head($p);
        is($st, $get->code, "HEAD $p has the status of GET");
        is($head->content, '', "HEAD $p has no body");
        is($head->header('Content-Type'), $get->header('Content-Type'), "HEAD $p: same Content-Type");
        is($head->header('Access-Control-Allow-Origin'), $get->header('Access-Control-Allow-Origin'),
           "HEAD $p: same CORS header");
    }
    my ($st, undef, $res) = api_head('/services/absent');
    is($st, 404, 'HEAD of an absent entity is 404');
    is($res->content, '', 'with no body');
};

subtest 'trailing slash is tolerated' => sub {
    my ($s1, $a) = api_get('/services');
    my ($s2, $b) = api_get('/services/');
    is($s2, 200, 'GET /services/');
    is_deeply($b, $a, 'same as /services');
    ($s1, $a) = api_get('/services/m-svc');
    ($s2, $b) = api_get('/services/m-svc/');
    is($s2, 200, 'GET /services/m-svc/');
    is_deeply($b, $a, 'same as /services/m-svc');
    ($s2, $b) = api_get('/services/m-svc/routes/');
    is($s2, 200, 'GET /services/m-svc/routes/');
    is(scalar @{ $b->{data} || [] }, 1, 'nested list');
    ($s2, $b) = api_get('/routes/m-route/service/');
    is($s2, 200, 'GET /routes/m-route/service/');
    is($b->{id}, $s->{id}, 'the service');
    my ($s3, $c, $res) = api_post('/services/', { name => 'slash', host => 'slash.test' });
    status_is($res, 201, 'POST /services/');
    ($s3) = api_patch('/services/slash/', { retries => 1 });
    is($s3, 200, 'PATCH /services/slash/');
    my ($s4, undef, $o) = api_options('/services/');
    is($o->header('Allow'), $COLLECTION, 'OPTIONS /services/');
    expect('DELETE /services/slash/', [ api_delete('/services/slash/') ], 204, '');
    expect('gone', [ api_get('/services/slash') ], 404, $NOT_FOUND);
    my ($s5) = api_get('/status/');
    is($s5, 200, 'GET /status/');
};

subtest 'unknown paths are 404 {"message":"Not found"}' => sub {
    for my $m (qw(GET POST PUT PATCH DELETE)) {
        my @body = $m =~ /^(?:GET|DELETE)$/ ? () : (json => {});
        expect("$m /non-existing", [ api_request($m, '/non-existing', @body) ], 404, $NOT_FOUND);
    }
    expect('OPTIONS /non-existing', [ api_options('/non-existing') ], 404, $NOT_FOUND);
    my ($st, undef, $res) = api_head('/non-existing');
    is($st, 404, 'HEAD /non-existing is 404');
    is($res->content, '', 'HEAD 404 has no body');
    for my $p ('/servicesx', '/services/m-svc/nope', '/services/m-svc/routes/m-route/extra',
               '/routes/m-route/service/extra', '/routes/m-route/services', '/a/b/c/d/e/f') {
        expect("GET $p", [ api_get($p) ], 404, $NOT_FOUND);
    }
};

subtest 'disabled endpoints are 404' => sub {
    for my $p ('/targets', '/targets/x') {
        expect("GET $p", [ api_get($p) ], 404, $NOT_FOUND);
    }
};

subtest 'double slashes and dot segments do not reach other entities' => sub {
    my ($st) = api_get('/services//m-svc');
    ok($st == 404 || $st == 200, "GET /services//m-svc is 404 or the entity (got $st)");
    # reference silent on how `//` is treated; nothing may be created or deleted by it
    ($st) = api_delete('/services//routes');
    ok($st != 500, "DELETE /services//routes is not a 500 (got $st)");
    is(sql_count('FROM services'), 1, 'services untouched');
};

subtest 'query strings do not change routing' => sub {
    my ($st, $b) = api_get('/services/m-svc?x=1');
    is($st, 200, 'GET /services/m-svc?x=1');
    is($b->{id}, $s->{id}, 'the entity');
    my ($st2, undef, $res) = api_options('/services?x=1');
    is($res->header('Allow'), $COLLECTION, 'OPTIONS with a query');
};
