# Which route a request reaches: per-attribute matching and Kong's priority
# rules, end to end through the proxy to a real upstream
# (kong-behaviour.md §3.1-§3.4).
#
# Every route gets a service of its own whose path is "/<route tag>", so the
# upstream's echo tells which route the proxy chose. Most routes also carry
# the host routing.test, with a host-only fallback route that loses to all
# of them (fewer attributes): "no match among these" shows as "fallback"
# instead of depending on the 404 response, which 040_errors.t covers.
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;
use GwProxy;
use GwUpstream;

plan tests => 13, need_lwp;

reset_db();
my $up = GwUpstream->start;
my $H  = 'routing.test';

my %svc;
sub route {
    my ($tag, %fields) = @_;
    $svc{$tag} //= make_service(name => $tag, host => $up->host,
                                port => $up->port, path => "/$tag");
    return make_route(name => $tag, service => { id => $svc{$tag}{id} },
                      %fields);
}

# routed(METHOD, PATH, %opt): the tag of the route that answered, or
# "status NNN" when the upstream did not answer.
sub routed {
    my ($method, $path, %opt) = @_;
    $opt{host} //= $H;
    my $res = proxy($method, $path, %opt);
    my $echo = GwUpstream->echo($res);
    return 'status ' . $res->code unless $echo;
    my ($tag) = $echo->{path} =~ m{^/([^/?]+)};
    return $tag;
}

route('fallback', hosts => [$H]);

# more attributes beat fewer, whatever the path length
route('attr-path',   hosts => [$H], paths => ['/attr/a/very/long/prefix']);
route('attr-method', hosts => [$H], paths => ['/attr'], methods => ['POST']);
route('attr-header', hosts => [$H], paths => ['/attr'], methods => ['POST'],
      headers => { 'x-attr' => ['yes'] });

# plain hosts beat wildcards
route('plain-host', hosts => ['api.wild.test'], paths => ['/w']);
route('wild-host',  hosts => ['*.wild.test'], paths => ['/w/a/longer/path']);

# the number of header names counts; values compare case-insensitively;
# one "~*" value is a regex
route('hdr-one', hosts => [$H], paths => ['/hdr'],
      headers => { 'x-version' => ['v1', 'v2'] });
route('hdr-two', hosts => [$H], paths => ['/hdr'],
      headers => { 'x-version' => ['v1'], 'x-tier' => ['gold'] });
route('hdr-re',  hosts => [$H], paths => ['/hdrre'],
      headers => { 'x-client' => ['~*^mobile-\d+$'] });

# regex beats prefix, then regex_priority, then the longer prefix
route('rx-prefix', hosts => [$H], paths => ['/rx/123/a-long-plain-prefix']);
route('rx-regex',  hosts => [$H], paths => ['~/rx/\d+']);
route('rp-low',    hosts => [$H], paths => ['~/rp/a'], regex_priority => 1);
route('rp-high',   hosts => [$H], paths => ['~/rp/\w'], regex_priority => 5);
route('lp-short',  hosts => [$H], paths => ['/lp']);
route('lp-long',   hosts => [$H], paths => ['/lp/deeper']);
route('anchored',  hosts => [$H], paths => ['~/anch/\d+']);

# methods
route('meth', hosts => [$H], paths => ['/meth'], methods => ['GET', 'POST']);

# hosts: ports and wildcards on both sides
route('port-8080',   hosts => ['port.test:8080']);
route('any-port',    hosts => ['noport.test']);
route('default-80',  hosts => ['dflt.test:80']);
route('wild-left',   hosts => ['*.wl.test']);
route('wild-right',  hosts => ['wr.*']);
route('wild-port',   hosts => ['*.wp.test:8080']);

# a disabled service's routes are ignored
my $dis = make_service(name => 'disabled', host => $up->host,
                       port => $up->port, path => '/disabled',
                       enabled => jfalse());
make_route(hosts => [$H], paths => ['/dis'], service => { id => $dis->{id} });
route('dis-shorter', hosts => [$H], paths => ['/di']);

sync_proxy();

subtest 'the proxy reaches the upstream' => sub {
    my $res = proxy(GET => '/lp', host => $H);
    is($res->code, 200, 'status 200');
    my $echo = GwUpstream->echo($res);
    ok($echo, 'the body is the upstream echo') or diag $res->as_string;
    is($echo->{path}, '/lp-short', 'upstream path') if $echo;
};

subtest 'more attributes beat fewer, regardless of path length' => sub {
    is(routed(GET => '/attr/a/very/long/prefix/x'), 'attr-path',
       'GET: hosts+paths (long prefix)');
    is(routed(POST => '/attr/a/very/long/prefix/x'), 'attr-method',
       'POST: hosts+paths+methods beats the longer prefix');
    is(routed(POST => '/attr/a/very/long/prefix/x', headers => ['X-Attr' => 'yes']),
       'attr-header', 'POST with X-Attr: four attributes win');
    is(routed(GET => '/attr/x', headers => ['X-Attr' => 'yes']), 'fallback',
       'a route matches only when every attribute it sets matches');
};

subtest 'plain hosts beat wildcards' => sub {
    is(routed(GET => '/w/a/longer/path', host => 'api.wild.test'), 'plain-host',
       'plain host wins over a wildcard host with a longer path');
    is(routed(GET => '/w/a/longer/path', host => 'other.wild.test'), 'wild-host',
       'other names go to the wildcard');
};

subtest 'headers' => sub {
    is(routed(GET => '/hdr', headers => ['X-Version' => 'v2']), 'hdr-one',
       'any listed value matches');
    is(routed(GET => '/hdr', headers => ['X-Version' => 'V1']), 'hdr-one',
       'values compare case-insensitively');
    is(routed(GET => '/hdr', headers => ['X-Version' => 'v1', 'X-Tier' => 'Gold']),
       'hdr-two', 'two header names beat one');
    # two header lines: Kong sees two values, one of which matches
    is(routed(GET => '/hdr', headers => ['X-Version' => 'v9', 'X-Version' => 'v1']),
       'hdr-one', 'any value of a repeated header matches (§3.2)');
    is(routed(GET => '/hdr', headers => ['X-Version' => 'v3']), 'fallback',
       'an unlisted value does not match');
    is(routed(GET => '/hdr'), 'fallback', 'a missing header does not match');
    is(routed(GET => '/hdrre', headers => ['X-Client' => 'MOBILE-42']), 'hdr-re',
       '~* regex, case-insensitive');
    is(routed(GET => '/hdrre', headers => ['X-Client' => 'mobile-x']), 'fallback',
       'regex that does not match');
};

subtest 'regex beats prefix; regex_priority; longer prefix wins' => sub {
    is(routed(GET => '/rx/123/a-long-plain-prefix/x'), 'rx-regex',
       'regex path beats a longer plain prefix');
    is(routed(GET => '/rx/abc/x'), 'fallback', 'regex that does not match');
    is(routed(GET => '/rp/a'), 'rp-high', 'higher regex_priority wins');
    is(routed(GET => '/lp/deeper/x'), 'lp-long', 'longer prefix wins');
    is(routed(GET => '/lp/other'), 'lp-short', 'shorter prefix for the rest');
};

subtest 'prefixes are string prefixes; regexes are anchored at the start only' => sub {
    is(routed(GET => '/lpdeeper'), 'lp-short', '/lp matches /lpdeeper');
    is(routed(GET => '/lp/deeperstill'), 'lp-long', '/lp/deeper matches /lp/deeperstill');
    is(routed(GET => '/anch/12abc'), 'anchored', 'not anchored at the end');
    is(routed(GET => '/x/anch/12'), 'fallback', 'anchored at the start');
};

subtest 'methods' => sub {
    is(routed(GET => '/meth'), 'meth', 'GET');
    is(routed(POST => '/meth', body => 'x'), 'meth', 'POST');
    is(routed(PUT => '/meth', body => 'x'), 'fallback', 'PUT is not listed');
    is(routed(DELETE => '/meth'), 'fallback', 'DELETE is not listed');
};

subtest 'hosts with ports' => sub {
    is(routed(GET => '/', host => 'port.test:8080'), 'port-8080', 'exact host:port');
    is(routed(GET => '/', host => 'port.test:9090'), 'status 404', 'other port: no match');
    is(routed(GET => '/', host => 'port.test'), 'status 404',
       'no port means the default port 80: no match');
    is(routed(GET => '/', host => 'noport.test'), 'any-port', 'host without port');
    is(routed(GET => '/', host => 'noport.test:1234'), 'any-port',
       'an entry without port matches any port');
    is(routed(GET => '/', host => 'dflt.test'), 'default-80',
       'a request without port is on port 80');
    is(routed(GET => '/', host => 'dflt.test:80'), 'default-80', 'explicit :80');
    is(routed(GET => '/', host => 'NoPort.Test'), 'any-port',
       'host names compare case-insensitively (mod_gateway; Kong lower-cases too)');
};

subtest 'wildcard hosts, on either side' => sub {
    is(routed(GET => '/', host => 'a.wl.test'), 'wild-left', '*.wl.test: a.wl.test');
    is(routed(GET => '/', host => 'a.b.wl.test'), 'wild-left', '* spans dots');
    is(routed(GET => '/', host => 'a.wl.test:8443'), 'wild-left', 'any port');
    is(routed(GET => '/', host => 'wl.test'), 'status 404', '* needs one character');
    is(routed(GET => '/', host => 'wr.example'), 'wild-right', 'wr.*: wr.example');
    is(routed(GET => '/', host => 'wr.example.org'), 'wild-right', 'wr.*: spans dots');
    is(routed(GET => '/', host => 'xwr.example'), 'status 404', 'anchored at the start');
    is(routed(GET => '/', host => 'a.wp.test:8080'), 'wild-port', 'wildcard with port');
    is(routed(GET => '/', host => 'a.wp.test:9090'), 'status 404', 'other port: no match');
    is(routed(GET => '/', host => 'a.wp.test'), 'status 404', 'no port (80): no match');
};

subtest 'a disabled service takes its routes with it' => sub {
    is(routed(GET => '/dis/x'), 'dis-shorter', 'disabled: the next route gets it');
    my ($st) = api_patch("/services/$dis->{id}", { enabled => jtrue() });
    is($st, 200, 'enable the service');
    sync_proxy();
    is(routed(GET => '/dis/x'), 'disabled', 'enabled: its route is back');
    ($st) = api_patch("/services/$dis->{id}", { enabled => jfalse() });
    sync_proxy();
    is(routed(GET => '/dis/x'), 'dis-shorter', 'disabled again');
};

subtest 'Admin API writes are live on the proxy without a restart' => sub {
    my $r = route('late', hosts => [$H], paths => ['/late']);
    ok(wait_until(sub { routed(GET => '/late') eq 'late' }, 5),
       'a new route is live within 5 s');
    my ($st) = api_patch("/routes/$r->{id}", { paths => ['/later'] });
    is($st, 200, 'PATCH its paths');
    ok(wait_until(sub { routed(GET => '/later') eq 'late' }, 5), 'new path live');
    ok(wait_until(sub { routed(GET => '/late') eq 'fallback' }, 5),
       'the old path is gone');
    ($st) = api_delete("/routes/$r->{id}");
    is($st, 204, 'DELETE the route');
    ok(wait_until(sub { routed(GET => '/later') eq 'fallback' }, 5), 'gone');
};

subtest 'a route without paths gets every path; the query does not take part' => sub {
    is(routed(GET => '/anything/at/all?x=/lp'), 'fallback', 'host-only route');
    is(routed(GET => '/lp?x=/lp/deeper'), 'lp-short', 'the query string is not matched');
};

subtest 'equal priorities never depend on the order of creation' => sub {
    # two routes that differ only in name: Kong's compat router breaks the tie
    # by route id, not created_at; whichever wins must win every time
    route('tie-a', hosts => ['tie.test'], paths => ['/tie']);
    route('tie-b', hosts => ['tie.test'], paths => ['/tie']);
    sync_proxy();
    my %seen;
    $seen{ routed(GET => '/tie', host => 'tie.test') }++ for 1 .. 6;
    is(scalar(keys %seen), 1, 'one winner: ' . join(',', keys %seen));
    ok(($seen{'tie-a'} // 0) + ($seen{'tie-b'} // 0) == 6, 'and it is one of the two');
};
