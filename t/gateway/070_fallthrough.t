# GatewayFallthrough On: on a gateway vhost, requests that match no route go
# on to the rest of Apache (here static files) instead of Kong's 404, while
# matched ones are still proxied. Routes apply only to vhosts with
# `Gateway On` (DESIGN.md §3, §5): not to a vhost that says nothing about
# the gateway, nor to the Admin API vhost.
#
# Vhosts (t/conf/extra.conf.in): gateway_fallthrough (Gateway On,
# GatewayFallthrough On, DocumentRoot t/htdocs/gateway-fallthrough),
# gateway_plain (no gateway directive, same DocumentRoot), gateway_admin.
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use GwAdmin;
use GwProxy;
use GwUpstream;

plan tests => 7, need_lwp;

reset_db();
my $up = GwUpstream->start;
my $svc = make_service(host => $up->host, port => $up->port);
make_route(paths => ['/ft-routed'], service => { id => $svc->{id} });
make_route(hosts => ['ft.test'], service => { id => $svc->{id} });
make_route(hosts => ['admin-probe.test'], service => { id => $svc->{id} });
make_route(paths => ['/ft-nosvc']);
sync_proxy();

my $FT = 'gateway_fallthrough';
my $STATIC = "static file of the fall-through vhost\n";

sub ft {
    my ($path, %opt) = @_;
    return proxy(GET => $path, vhost => $FT, %opt);
}

subtest 'fall-through vhost: a matched route is proxied' => sub {
    my $res = ft('/ft-routed/x');
    is($res->code, 200, 'status 200');
    my $e = GwUpstream->echo($res);
    ok($e, 'from the upstream');
    is($e && $e->{path}, '/x', 'strip_path applies as on any gateway vhost');
    like($res->header('X-Kong-Request-Id') // '', qr/^[0-9a-f]{32}$/, 'X-Kong-Request-Id');
};

subtest 'fall-through vhost: a route wins over a static file it shadows' => sub {
    my $res = ft('/ft-routed.txt');
    ok(GwUpstream->echo($res), '/ft-routed.txt goes to the upstream, not the file');
    $res = ft('/static.txt?host-route', host => 'ft.test');
    ok(GwUpstream->echo($res), 'a host route takes /static.txt too');
};

subtest 'fall-through vhost: no match goes on to Apache' => sub {
    my $res = ft('/static.txt');
    is($res->code, 200, 'static file: 200');
    is($res->content, $STATIC, 'its content');
    ok(!defined $res->header('X-Kong-Request-Id'), 'not a gateway response');
    ok(!defined $res->header('Via'), 'not proxied');
    $res = ft('/');
    is($res->code, 200, '/: 200');
    like($res->content, qr/fall-through index/, 'the directory index');
    $res = ft('/missing.txt');
    is($res->code, 404, 'a missing file: 404');
    unlike($res->content, qr/no Route matched/, "Apache's 404, not the gateway's");
    is(scalar($up->requests_for(qr{^/(?:static\.txt|missing\.txt|)$})), 0,
       'the upstream saw none of these');
};

subtest 'fall-through vhost: a route without service is still a match (503)' => sub {
    my $res = ft('/ft-nosvc/x');
    is($res->code, 503, 'status 503');
    like($res->content, qr/no Service found with those values/, "Kong's message");
};

subtest 'the main gateway vhost has no fall-through' => sub {
    my $res = proxy(GET => '/static.txt', host => 'nomatch.ft.test');
    is($res->code, 404, 'status 404');
    like($res->content, qr/no Route matched with those values/, "Kong's 404");
    $res = proxy(GET => '/ft-routed/x');
    ok(GwUpstream->echo($res), 'routes work there too');
};

subtest 'a vhost without Gateway On is never routed' => sub {
    my $res = proxy(GET => '/ft-routed/x', vhost => 'gateway_plain');
    ok(!GwUpstream->echo($res), 'a path route does not apply');
    is($res->code, 404, "Apache's 404 for a file it does not have");
    ok(!defined $res->header('X-Kong-Request-Id'), 'no gateway headers');
    $res = proxy(GET => '/static.txt', vhost => 'gateway_plain', host => 'ft.test');
    ok(!GwUpstream->echo($res), 'a host route does not apply');
    is($res->content, $STATIC, 'the static file is served');
};

subtest 'the Admin API vhost is never routed' => sub {
    my $res = proxy(GET => '/services', vhost => 'gateway_admin',
                    host => 'admin-probe.test');
    ok(!GwUpstream->echo($res), 'a route for its Host does not take the Admin API');
    is($res->code, 200, '/services answers');
    my $body = json_dec($res->content);
    ok($body && ref $body->{data} eq 'ARRAY', 'with the service list');
    $res = proxy(GET => '/ft-routed', vhost => 'gateway_admin');
    ok(!GwUpstream->echo($res), 'a path route does not take it either');
    is($res->code, 404, "the Admin API's own 404");
};
