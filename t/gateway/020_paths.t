# The path the upstream receives: Kong's v0 composition of service.path,
# the matched route path and strip_path (kong-behaviour.md §3.5, the rows of
# its reference table), the query string passed unchanged, and encoded
# characters (§3.1 normalisation).
#
# Each row gets a route of its own on a host of its own, so that rows never
# compete with each other (and never with the Admin API's paths).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;
use GwProxy;
use GwUpstream;

# service.path, route path (undef: host match), strip_path, request, upstream
my @ROWS = (
    ['/',         '/',       1, '/route/req',   '/route/req'],
    ['/',         '/',       0, '/route/req',   '/route/req'],
    ['/',         '/route',  0, '/routereq',    '/routereq'],
    ['/',         '/route',  1, '/route',       '/'],
    ['/',         '/route',  1, '/route/',      '/'],
    ['/',         '/route',  1, '/routereq',    '/req'],
    ['/',         '/route/', 1, '/route/req',   '/req'],
    ['/srv',      '/rou',    0, '/roureq',      '/srv/roureq'],
    ['/srv',      '/rou',    1, '/roureq',      '/srv/req'],
    ['/srv/',     '/rou',    1, '/rou',         '/srv'],
    ['/service',  '/',       1, '/',            '/service'],
    ['/service',  '/',       0, '/',            '/service'],
    ['/service',  '/',       1, '/route/',      '/service/route/'],
    ['/service',  '/',       0, '/route/',      '/service/route/'],
    ['/service',  '/route',  0, '/route',       '/service/route'],
    ['/service',  '/route',  1, '/route',       '/service'],
    ['/service',  '/route',  1, '/route/',      '/service/'],
    ['/service',  '/route',  1, '/routereq',    '/service/req'],
    ['/service',  '/route/', 1, '/route/',      '/service/'],
    ['/service/', '/',       1, '/',            '/service/'],
    ['/service/', '/',       0, '/',            '/service/'],
    ['/service/', '/',       1, '/routereq',    '/service/routereq'],
    ['/service/', '/',       0, '/routereq',    '/service/routereq'],
    ['/service/', '/route',  1, '/route',       '/service'],
    ['/service/', '/route',  1, '/routereq',    '/service/req'],
    ['/service/', '/route/', 1, '/route/req',   '/service/req'],
    ['/service',  undef,     1, '/route',       '/service/route'],
    ['/service',  undef,     0, '/route',       '/service/route'],
    ['/service/', undef,     1, '/',            '/service/'],
    ['/service/', undef,     0, '/',            '/service/'],
    ['/service',  '/route',  1, '/route./req',  '/service/req'],
    ['/service',  '/route',  1, '/route%2E/req', '/service/req'],
    ['/service',  '/route',  1, '/route../req', '/service/req'],
    ['/service',  '/route',  0, '/route%2e/req', '/service/route./req'],
);

plan tests => 7, need_lwp;

reset_db();
my $up = GwUpstream->start;

my %svc;
sub service_for {
    my $path = shift;
    return $svc{ $path // '' } //= make_service(
        host => $up->host, port => $up->port, defined $path ? (path => $path) : ());
}

# one route per row, on the host row<N>.paths.test
for my $i (0 .. $#ROWS) {
    my ($spath, $rpath, $strip) = @{ $ROWS[$i] };
    make_route(hosts => ["row$i.paths.test"],
               defined $rpath ? (paths => [$rpath]) : (),
               strip_path => $strip ? jtrue() : jfalse(),
               service => { id => service_for($spath)->{id} });
}

# routes for the query, encoding and regex cases
my $plain = service_for(undef);
make_route(hosts => ['q.paths.test'], paths => ['/q'],
           service => { id => $plain->{id} });
make_route(hosts => ['enc.paths.test'], paths => ['/enc'],
           service => { id => service_for('/base')->{id} });
make_route(hosts => ['rx.paths.test'], paths => ['~/rx/(?<ver>v\d+)/'],
           service => { id => service_for('/base')->{id} });
make_route(hosts => ['rxk.paths.test'], paths => ['~/rx/v\d+'],
           strip_path => jfalse(), service => { id => service_for('/base')->{id} });

sync_proxy();

# upstream(HOST, TARGET): what the upstream received (path, query), or a
# string naming the status when the upstream was not reached.
sub upstream {
    my ($host, $target) = @_;
    my $res = proxy(GET => $target, host => $host);
    my $echo = GwUpstream->echo($res);
    if (!$echo) {
        diag "$host $target: " . $res->status_line . "\n" . substr($res->content, 0, 300);
        return ('status ' . $res->code, undef);
    }
    return ($echo->{path}, $echo->{query});
}

subtest 'Kong reference table, v0 (§3.5)' => sub {
    plan tests => scalar @ROWS;
    for my $i (0 .. $#ROWS) {
        my ($spath, $rpath, $strip, $req, $want) = @{ $ROWS[$i] };
        my ($got) = upstream("row$i.paths.test", $req);
        is($got, $want, sprintf('service %s, route %s, strip %s: %s -> %s',
                                $spath, $rpath // '(host)',
                                $strip ? 'true' : 'false', $req, $want));
    }
};

subtest 'the query string is passed unchanged' => sub {
    my @cases = (
        ['/q?a=1',                   '/',   'a=1'],
        ['/q/x?a=1&b=2&a=3',         '/x',  'a=1&b=2&a=3'],
        ['/q?sp=%20x&slash=%2F&pct=%25&plus=a+b', '/', 'sp=%20x&slash=%2F&pct=%25&plus=a+b'],
        ['/q?utf8=%C3%A9&raw=/a/../b', '/', 'utf8=%C3%A9&raw=/a/../b'],
        ['/q?novalue&empty=',        '/',   'novalue&empty='],
        ['/q',                       '/',   undef],
    );
    for my $c (@cases) {
        my ($req, $path, $query) = @$c;
        my ($p, $q) = upstream('q.paths.test', $req);
        is($p, $path, "$req: path");
        is($q, $query, "$req: query " . ($query // '(none)'));
    }
};

subtest 'encoded characters' => sub {
    my @cases = (
        ['/enc/sp%20ace',       '/base/sp%20ace',  'an encoded space stays encoded'],
        ['/enc/caf%C3%A9',      '/base/caf%C3%A9', 'encoded UTF-8 stays encoded'],
        ['/enc/%7Euser',        '/base/~user',     'unreserved characters are decoded'],
        ['/enc/a%2Db%5Fc%2E',   '/base/a-b_c.',    'more unreserved ones'],
        ['/enc/a%3Fb',          '/base/a%3Fb',     'an encoded ? stays in the path'],
        ['/enc/a%23b',          '/base/a%23b',     'an encoded # stays in the path'],
        ['/enc/a%25b',          '/base/a%25b',     'an encoded % stays encoded'],
        ['/enc/a;b=c',          '/base/a;b=c',     'sub-delimiters pass as they are'],
        ['/enc/a/./b/../c',     '/base/a/c',       'dot segments are resolved'],
        ['/enc/a//b',           '/base/a/b',       'duplicate slashes are merged'],
        ['/enc/a%2Fb',          '/base/a%2Fb',     'an encoded slash is not a separator'],
    );
    for my $c (@cases) {
        my ($req, $want, $name) = @$c;
        my ($got) = upstream('enc.paths.test', $req);
        is($got, $want, "$name: $req -> $want");
    }
    my ($got) = upstream('enc.paths.test', '/e%6Ec/x');
    is($got, '/base/x', 'the route matches the decoded form of /e%6Ec');
};

subtest 'regex paths: the match is the stripped prefix' => sub {
    my ($got) = upstream('rx.paths.test', '/rx/v2/items/7');
    is($got, '/base/items/7', 'strip_path removes what the regex matched');
    ($got) = upstream('rxk.paths.test', '/rx/v2/items/7');
    is($got, '/base/rx/v2/items/7', 'strip_path=false keeps it');
};

subtest 'strip_path=false with service path "/" sends the request path' => sub {
    my ($got, $q) = upstream('row2.paths.test', '/routereq/a%20b?x=1');
    is($got, '/routereq/a%20b', 'path');
    is($q, 'x=1', 'query');
};

subtest 'methods and bodies reach the upstream unchanged' => sub {
    for my $m (qw(GET POST PUT PATCH DELETE OPTIONS)) {
        my $res = proxy($m => '/q/m', host => 'q.paths.test',
                        $m =~ /^P/ ? (body => "body of $m") : ());
        my $echo = GwUpstream->echo($res) // {};
        is($echo->{method}, $m, "$m reaches the upstream");
        is($echo->{body}, "body of $m", "$m body") if $m =~ /^P/;
    }
    my $res = proxy(HEAD => '/q/m', host => 'q.paths.test');
    is($res->code, 200, 'HEAD 200');
    is($res->content, '', 'HEAD: no body');
    is(($up->requests_for(qr{^/m$}))[-1]{method}, 'HEAD', 'HEAD reached the upstream');
};

subtest 'a route path change moves the prefix that is stripped' => sub {
    my $r = make_route(hosts => ['move.paths.test'], paths => ['/one'],
                       service => { id => service_for('/base')->{id} });
    sync_proxy();
    my ($got) = upstream('move.paths.test', '/one/x');
    is($got, '/base/x', 'before');
    api_patch("/routes/$r->{id}", { paths => ['/one/x'] });
    sync_proxy();
    ($got) = upstream('move.paths.test', '/one/x/y');
    is($got, '/base/y', 'after the PATCH the longer prefix is stripped');
};
