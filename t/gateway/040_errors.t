# Responses the gateway makes itself: no route (404), no service (503),
# https required (426, or a redirect per https_redirect_status_code), and
# upstream failures (502 refused / reset / not HTTP, 504 read timeout),
# with Kong's bodies chosen from Accept (kong-behaviour.md §3.4, §3.9).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use IO::Socket::INET ();
use Time::HiRes ();
use GwAdmin;
use GwProxy;
use GwUpstream;

plan tests => 13, need_lwp;

reset_db();
my $up = GwUpstream->start;

# a port on 127.0.0.1 that nothing listens on
my $closed_port = do {
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
                                  Listen => 1) or die $!;
    my $p = $s->sockport;
    close $s;
    $p;
};

my $svc = make_service(host => $up->host, port => $up->port, retries => 0);
my $refused = make_service(host => '127.0.0.1', port => $closed_port, retries => 0);
my $slow = make_service(host => $up->host, port => $up->port, retries => 0,
                        read_timeout => 300, write_timeout => 300);
my $slow_read = make_service(host => $up->host, port => $up->port, retries => 0,
                             read_timeout => 300);
make_route(hosts => ['err.test'], service => { id => $svc->{id} });
make_route(hosts => ['refused.err.test'], service => { id => $refused->{id} });
make_route(hosts => ['slow.err.test'], service => { id => $slow->{id} });
make_route(hosts => ['slowread.err.test'], service => { id => $slow_read->{id} });
make_route(hosts => ['nosvc.err.test']);
make_route(hosts => ['tls.err.test'], protocols => ['https'], service => { id => $svc->{id} });
for my $code (301, 302, 307, 308) {
    make_route(hosts => ["r$code.err.test"], protocols => ['https'],
               https_redirect_status_code => $code, service => { id => $svc->{id} });
}
make_route(hosts => ['r426.err.test'], protocols => ['https'],
           https_redirect_status_code => 426, service => { id => $svc->{id} });
make_route(hosts => ['both.err.test'], protocols => ['http', 'https'],
           service => { id => $svc->{id} });

sync_proxy();

my $NO_ROUTE = 'no Route matched with those values';
my $NO_SVC   = 'no Service found with those values';
my $BAD_GW   = 'An invalid response was received from the upstream server';
my $TIMEOUT  = 'The upstream server is timing out';

# kong_body(RES, STATUS, MESSAGE, TYPE): one test that the response is the
# gateway's STATUS with Kong's MESSAGE in the template of TYPE (json, text,
# html), carrying the response's own request id.
sub kong_body {
    my ($res, $status, $msg, $type, $name) = @_;
    my $id = $res->header('X-Kong-Request-Id') // '(none)';
    my $ct = $res->header('Content-Type') // '';
    my @d;
    push @d, 'status ' . $res->code . ", want $status" if $res->code != $status;
    push @d, "no request id" unless $id =~ /^[0-9a-f]{32}$/;
    if ($type eq 'json') {
        push @d, "Content-Type $ct" unless $ct =~ m{^application/json(?:;\s*charset=utf-8)?$}i;
        push @d, 'body differs' if $res->content ne kong_error_json($msg, $id);
    }
    elsif ($type eq 'text') {
        push @d, "Content-Type $ct" unless $ct =~ m{^text/plain(?:;\s*charset=utf-8)?$}i;
        push @d, 'body differs' if $res->content ne "$msg\nrequest_id: $id\n";
    }
    elsif ($type eq 'html') {
        push @d, "Content-Type $ct" unless $ct =~ m{^text/html}i;
        push @d, 'body lacks the message' if index($res->content, $msg) < 0;
        push @d, 'body lacks the request id' if index($res->content, $id) < 0;
    }
    my $ok = ok(!@d, $name);
    diag join("\n", @d) . "\n--- response:\n" . $res->as_string if !$ok;
    return $ok;
}

subtest '404 when no route matches: Kong JSON by default (§3.4, §3.9)' => sub {
    my $res = proxy(GET => '/errors/nothing', host => 'nomatch.err.test');
    kong_body($res, 404, $NO_ROUTE, 'json', 'no Accept: JSON');
    $res = proxy(GET => '/errors/nothing', host => 'nomatch.err.test',
                 headers => [Accept => 'application/json']);
    kong_body($res, 404, $NO_ROUTE, 'json', 'Accept: application/json');
    $res = proxy(POST => '/errors/nothing', host => 'nomatch.err.test', body => 'x');
    kong_body($res, 404, $NO_ROUTE, 'json', 'any method');
};

subtest '404 bodies follow Accept' => sub {
    my $res = proxy(GET => '/errors/nothing', host => 'nomatch.err.test',
                    headers => [Accept => 'text/plain']);
    kong_body($res, 404, $NO_ROUTE, 'text', 'Accept: text/plain');
    $res = proxy(GET => '/errors/nothing', host => 'nomatch.err.test',
                 headers => [Accept => 'text/html']);
    kong_body($res, 404, $NO_ROUTE, 'html', 'Accept: text/html');
    $res = proxy(HEAD => '/errors/nothing', host => 'nomatch.err.test');
    is($res->code, 404, 'HEAD: 404');
    is($res->content, '', 'HEAD: no body');
};

subtest '404 even where the document root has a file' => sub {
    # t/htdocs/index.html exists; the gateway vhost without fall-through
    # must not serve it
    my $res = proxy(GET => '/index.html', host => 'nomatch.err.test');
    kong_body($res, 404, $NO_ROUTE, 'json', '/index.html is not served');
};

subtest '503 for a route without a service' => sub {
    my $res = proxy(GET => '/x', host => 'nosvc.err.test');
    kong_body($res, 503, $NO_SVC, 'json', 'JSON');
    $res = proxy(GET => '/x', host => 'nosvc.err.test', headers => [Accept => 'text/plain']);
    kong_body($res, 503, $NO_SVC, 'text', 'text');
    is($up->requests_for(qr{^/x$}), 0, 'the upstream saw nothing');
};

subtest '426 for an https-only route reached over http' => sub {
    for my $host ('tls.err.test', 'r426.err.test') {
        my $res = proxy(GET => '/a?b=1', host => $host);
        kong_body($res, 426, 'Please use HTTPS protocol', 'json', "$host: 426 JSON");
        like($res->header('Connection') // '', qr/\bUpgrade\b/i, "$host: Connection: Upgrade");
        is($res->header('Upgrade'), 'TLS/1.2, HTTP/1.1', "$host: Upgrade header");
    }
    my $res = proxy(GET => '/a', host => 'both.err.test');
    is($res->code, 200, 'a route with http and https proxies plain http');
};

subtest 'redirects per https_redirect_status_code' => sub {
    for my $code (301, 302, 307, 308) {
        my $res = proxy(GET => '/some/path?x=1&y=%20', host => "r$code.err.test");
        is($res->code, $code, "$code");
        is($res->header('Location'), "https://r$code.err.test/some/path?x=1&y=%20",
           "$code: Location is https://<host><original request uri>");
        is($res->content, '', "$code: empty body");
        like($res->header('X-Kong-Request-Id') // '', qr/^[0-9a-f]{32}$/, "$code: request id");
    }
    is(scalar($up->requests_for(qr{^/some/path})), 0, 'nothing was proxied');
};

subtest '502 when the upstream refuses the connection' => sub {
    my $res = proxy(GET => '/x', host => 'refused.err.test');
    kong_body($res, 502, $BAD_GW, 'text', 'no Accept: text/plain (error_default_type)');
    $res = proxy(GET => '/x', host => 'refused.err.test',
                 headers => [Accept => 'application/json']);
    kong_body($res, 502, $BAD_GW, 'json', 'Accept: application/json');
    $res = proxy(POST => '/x', host => 'refused.err.test', body => '{}',
                 headers => ['Content-Type' => 'application/json']);
    kong_body($res, 502, $BAD_GW, 'json', 'no Accept, JSON request: JSON');
    $res = proxy(GET => '/x', host => 'refused.err.test',
                 headers => [Accept => 'text/html']);
    kong_body($res, 502, $BAD_GW, 'html', 'Accept: text/html');
};

subtest '502 when the upstream resets the connection' => sub {
    my $before = scalar $up->requests_for(qr{^/reset});
    my $res = proxy(GET => '/reset/x', host => 'err.test');
    kong_body($res, 502, $BAD_GW, 'text', '502, text/plain');
    is(scalar($up->requests_for(qr{^/reset})) - $before, 1, 'the upstream got the request once');
};

subtest '502 when the upstream answers something that is not HTTP' => sub {
    my $res = proxy(GET => '/garbage/x', host => 'err.test',
                    headers => [Accept => 'application/json']);
    kong_body($res, 502, $BAD_GW, 'json', '502, JSON');
    unlike($res->content, qr/not HTTP/, 'none of the garbage reaches the client');
};

subtest '504 when the upstream does not answer within read_timeout' => sub {
    my $t0 = Time::HiRes::time();
    my $res = proxy(GET => '/delay/3000', host => 'slow.err.test');
    my $took = Time::HiRes::time() - $t0;
    kong_body($res, 504, $TIMEOUT, 'text', '504, text/plain');
    cmp_ok($took, '<', 2.5, sprintf('answered after %.2f s, not after the 3 s delay', $took));
    $res = proxy(GET => '/hang', host => 'slow.err.test',
                 headers => [Accept => 'application/json']);
    kong_body($res, 504, $TIMEOUT, 'json', 'an upstream that never answers: 504 JSON');
    $res = proxy(GET => '/delay/100', host => 'slow.err.test');
    is($res->code, 200, 'a faster answer is proxied');
};

subtest '504 from read_timeout alone (write_timeout left at its default)' => sub {
    my $t0 = Time::HiRes::time();
    my $res = proxy(GET => '/delay/1500', host => 'slowread.err.test');
    my $took = Time::HiRes::time() - $t0;
    kong_body($res, 504, $TIMEOUT, 'text', 'read_timeout 300 ms: 504');
    cmp_ok($took, '<', 1.4, sprintf('answered after %.2f s', $took));
};

subtest 'request ids in bodies match the header and differ per request' => sub {
    my %ids;
    for (1 .. 5) {
        my $res = proxy(GET => '/x', host => 'nosvc.err.test');
        my $body = json_dec($res->content) // {};
        is($body->{request_id}, $res->header('X-Kong-Request-Id'), "body id = header id ($_)");
        $ids{ $body->{request_id} // '' }++;
    }
    is(scalar(keys %ids), 5, 'five different ids');
};

subtest 'upstream failures do not spill into the next request' => sub {
    my $res = proxy(GET => '/after/errors', host => 'err.test');
    is($res->code, 200, 'the same service still answers');
    ok(GwUpstream->echo($res), 'with the upstream echo');
};
