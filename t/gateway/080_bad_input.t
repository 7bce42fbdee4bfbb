# Hostile and malformed requests sent byte for byte: traversal in every
# spelling, duplicate and encoded slashes, NUL and broken escapes, invalid
# UTF-8, CRLF injection, oversized headers, lines and Host, unknown and
# malformed methods, absolute-form targets. None may crash a child, none
# may reach the upstream with a path outside the matched service's path,
# and the malformed ones are refused with a 4xx (kong-behaviour.md §3.1).
use strict;
use warnings;
use utf8;
use lib 't/lib';
use Apache::Test qw(-withtestmore);
use Time::HiRes ();
use GwAdmin;
use GwProxy;
use GwUpstream;

plan tests => 15, need_lwp;

reset_db();
my $log_start = error_log_offset();
my @children = sort(httpd_children());
my $up = GwUpstream->start;

my $base = make_service(host => $up->host, port => $up->port, path => '/base');
my $secret = make_service(host => $up->host, port => $up->port, path => '/secret-svc');
make_route(hosts => ['bad.test'], paths => ['/ok'], service => { id => $base->{id} });
make_route(hosts => ['bad.test'], paths => ['/secret'], service => { id => $secret->{id} });
make_route(hosts => ['bad.test'], paths => ['/get-only'], methods => ['GET'],
           service => { id => $base->{id} });
make_route(paths => ['/bad-any'], service => { id => $base->{id} });
make_route(hosts => ['*.wild.bad.test'], service => { id => $base->{id} });
make_route(hosts => ['abs.bad.test'], service => { id => $secret->{id} });
make_route(hosts => ['hdr.bad.test'], paths => ['/hdr'],
           headers => { 'x-tenant' => ['~*^t-\d+$'] }, service => { id => $base->{id} });
sync_proxy();

# raw(TARGET, [HEADERS], [METHOD], [VERSION]): sends one request with
# Host bad.test unless HEADERS has a Host line; returns (status or 0 when
# nothing came back, echo or undef, response).
sub raw {
    my ($target, $headers, $method, $version) = @_;
    $headers //= '';
    $headers = "Host: bad.test\r\n$headers" unless $headers =~ /^Host:/mi;
    my $req = ($method // 'GET') . " $target " . ($version // 'HTTP/1.1')
        . "\r\n$headers" . "Connection: close\r\n\r\n";
    my ($res) = proxy_raw($req);
    return (0, undef, undef) unless $res;
    return ($res->code, GwUpstream->echo($res), $res);
}

# safe(ECHO): true unless the upstream got a path that leaves the service
# path of the route or carries traversal, NUL or an encoded separator
# that was decoded on the way.
sub safe {
    my $e = shift or return 1;
    my $p = $e->{path};
    return 0 unless $p =~ m{^/(?:base|secret-svc)(?:/|$)};
    return 0 if $p =~ m{(?:^|/)\.\.?(?:/|$)} || $p =~ m{%2e%2e}i;
    return 0 if $p =~ m{\x00|%00|//};
    return 1;
}

my $upstream_requests = sub { $up->stats->{requests} };

subtest 'dot-dot traversal, plain and encoded, never leaves the service path' => sub {
    for my $t ('/ok/../secret', '/ok/%2e%2e/secret', '/ok/%2E%2E/secret',
               '/ok/.%2e/secret', '/ok/a/../../secret', '/ok/%2e%2e/%2e%2e/etc/passwd',
               '/ok/..;/secret', '/ok/%252e%252e/secret') {
        my ($st, $e) = raw($t);
        ok($st, "$t: answered ($st)");
        ok(safe($e), "$t: upstream path " . ($e ? $e->{path} : '(none)'));
    }
    my ($st, $e) = raw('/ok/%2e%2e/%2e%2e/etc/passwd');
    is($st, 400, 'climbing above the root: 400 (as nginx, hence Kong, answers)');
    ($st, $e) = raw('/ok/%2e%2e/secret');
    is($e && $e->{path}, '/secret-svc',
       '/ok/%2e%2e/secret is /secret once normalised: the /secret route');
    ($st, $e) = raw('/ok/a/%2e%2e/b');
    is($e && $e->{path}, '/base/b', '/ok/a/%2e%2e/b reaches /base/b');
    # %25 is "%": decoding once gives "%2e%2e", a literal text, not a dot
    # segment; decoding twice would move the request to another route
    ($st, $e) = raw('/ok/%252e%252e/secret');
    is($e && $e->{path}, '/base/%252e%252e/secret',
       'a double-encoded dot is decoded at most once: still the /ok route');
};

subtest 'duplicate slashes' => sub {
    my ($st, $e) = raw('//ok//b///c');
    is($e && $e->{path}, '/base/b/c', '//ok//b///c -> /base/b/c');
    ($st, $e) = raw('/ok/' . ('/' x 500) . 'x');
    is($e && $e->{path}, '/base/x', '500 slashes in a row');
};

subtest 'encoded slashes are not separators and are not decoded' => sub {
    for my $t ('/ok/..%2f..%2fsecret', '/ok/a%2Fb', '/ok%2Fsecret', '/ok/%2F%2F') {
        my ($st, $e) = raw($t);
        ok($st && $st < 500, "$t: answered without a 5xx ($st)");
        ok(safe($e), "$t: upstream path " . ($e ? $e->{path} : '(none)'));
    }
};

subtest 'NUL and malformed escapes: 400, nothing proxied' => sub {
    my $before = $upstream_requests->();
    for my $t ('/ok/%00', '/ok/a%00b', '/ok/%', '/ok/%4', '/ok/%zz', '/ok/%%30') {
        my ($st) = raw($t);
        is($st, 400, "$t: 400");
    }
    is($upstream_requests->() - $before, 0, 'the upstream saw none of them');
};

subtest 'invalid UTF-8 stays percent-encoded' => sub {
    my ($st, $e) = raw('/ok/%FF%FE%C0%AF');
    is($e && $e->{path}, '/base/%FF%FE%C0%AF',
       'overlong "/" (%C0%AF) and stray bytes reach the upstream encoded');
    ($st, $e) = raw("/ok/caf\xc3\xa9/\xff");
    is($e && $e->{path}, '/base/caf%C3%A9/%FF',
       'raw non-ASCII bytes in the request line reach the upstream percent-encoded');
};

subtest 'CRLF and control characters in the path never become headers' => sub {
    my ($st, $e) = raw('/ok/a%0D%0AX-Injected:%20yes');
    ok($st && $st < 500, "answered ($st)");
    ok(!$e || !exists $e->{headers}{'x-injected'}, 'no injected header upstream')
        or diag 'headers upstream: ' . json_enc($e->{headers});
    ok(!$e || $e->{path} =~ /%0D%0A/i, 'CR LF stay encoded in the upstream path')
        if $e;
    my ($st2, $e2) = raw('/ok/a%0AX-Injected:%20yes%0A%0AGET%20/smuggled%20HTTP/1.1%0A');
    ok(!$e2 || !exists $e2->{headers}{'x-injected'}, 'LF only: no injected header');
    Time::HiRes::sleep(0.3);    # a smuggled request would follow at once
    is(scalar($up->requests_for(qr{^/smuggled})), 0, 'no smuggled request upstream');
};

subtest 'large headers: up to the limit proxied whole, beyond it 400' => sub {
    my $big = 'a' x 8000;
    my ($st, $e) = raw('/ok/big', "X-Big: $big\r\n");
    is($st, 200, '8000-byte header: 200');
    is($e && length($e->{headers}{'x-big'} // ''), 8000, 'all of it reached the upstream');
    ($st) = raw('/ok/big', 'X-Big: ' . ('a' x 10000) . "\r\n");
    is($st, 400, '10000-byte header: 400');
    ($st) = raw('/ok/many', join('', map { "X-H$_: v\r\n" } 1 .. 200));
    is($st, 400, "200 header lines: 400 (httpd's LimitRequestFields, 100)");
};

subtest 'oversized request line: 414' => sub {
    my ($st) = raw('/ok/' . ('x' x 9000));
    is($st, 414, '9000-byte path: 414');
    my ($st2, $e) = raw('/ok/' . ('x' x 7000));
    is($st2, 200, '7000-byte path: 200');
    is(length($e ? $e->{path} : ''), length('/base/') + 7000, 'whole path upstream');
};

subtest 'huge and odd Host headers' => sub {
    my $huge = ('h' x 6000) . '.test';
    my ($st, $e) = raw('/bad-any/x', "Host: $huge\r\n");
    is($st, 200, '6000-byte Host on a path route: proxied');
    is($e && $e->{headers}{'x-forwarded-host'}, $huge, 'X-Forwarded-Host carries it');
    my $deep = ('a.' x 2500) . 'wild.bad.test';
    ($st, $e) = raw('/x', "Host: $deep\r\n");
    is($e && $e->{path}, '/base/x', '5000-byte Host: matched by *.wild.bad.test');
    ($st, $e) = raw('/x', 'Host: ' . ('a.' x 2500) . "wild.bad.test.evil\r\n");
    is($st, 404, 'the same with a suffix: no match');
    ($st, $e) = raw('/ok/x', "Host: bad.test\r\nHost: other.test\r\n");
    is($st, 400, 'two Host headers: 400');
    ($st, $e) = raw('/ok/x', "Host: bad test\r\n");
    is($st, 400, 'a Host with a space: 400');
    ($st, $e) = raw('/ok/x', "Host: bad.test:99999999999\r\n");
    is($st, 400, 'a Host with an absurd port: 400 (httpd)');
    ($st, $e) = raw('/ok/x', "Host: [::1\r\n");
    is($st, 400, 'an unclosed IPv6 literal: 400 (httpd)');
};

subtest 'unknown and malformed methods' => sub {
    my ($st, $e) = raw('/bad-any/x', '', 'FOO');
    is($st, 200, 'FOO on a route without methods: proxied');
    is($e && $e->{method}, 'FOO', 'the upstream got FOO');
    ($st, $e) = raw('/get-only', '', 'FOO');
    ok(!$e, 'FOO on a GET-only route: not proxied');
    is($st, 404, "no route matched: Kong's 404");
    ($st, $e) = raw('/get-only', '', 'get');
    ok(!$e, 'methods are case-sensitive: "get" is not GET');
    ($st, $e) = raw('/bad-any/x', '', 'F@O');
    ok(!$e, 'a method that is not a token is not proxied');
    ok($st >= 400 && $st < 500 || $st == 501, "and refused ($st)");
};

subtest 'absolute-form request targets' => sub {
    my ($st, $e, $res) = raw('http://abs.bad.test/ok/x', "Host: bad.test\r\n");
    ok($st && $st < 500, "answered without a 5xx ($st)");
    ok(safe($e), 'no unsafe upstream path');
    # RFC 7230 §5.4 and nginx: the target's authority wins over Host
    is($e && $e->{path}, '/secret-svc/ok/x', "routed by the target's host (abs.bad.test)");
};

subtest 'header values used by routes' => sub {
    my ($st, $e) = raw('/hdr', "Host: hdr.bad.test\r\nX-Tenant: T-123\r\n");
    is($st, 200, 'regex header route: match');
    ($st, $e) = raw('/hdr', "Host: hdr.bad.test\r\nX-Tenant: t-1 x\r\n");
    ok(!$e, 'a value the regex does not match: not proxied');
    ($st, $e) = raw('/hdr', "Host: hdr.bad.test\r\nX-Tenant: " . ('t-' . 9 x 7000) . "\r\n");
    ok($st && $st < 500, "a 7000-byte value against the regex: answered ($st)");
    ($st, $e) = raw('/hdr', "Host: hdr.bad.test\r\nX-Tenant: t-1\x01\r\n");
    ok(!$e, 'a control character in a header value: not proxied');
    is($st, 400, 'but refused with 400');
};

subtest 'HTTP versions' => sub {
    my ($st, $e) = raw('/ok/v', '', 'GET', 'HTTP/1.0');
    is($st, 200, 'HTTP/1.0 with Host');
    my ($res) = proxy_raw("GET /ok/v HTTP/1.0\r\n\r\n");
    ok($res && $res->code == 404, 'HTTP/1.0 without Host: no route for the empty host');
    ($st) = raw('/ok/v', '', 'GET', 'HTTP/1.1x');
    is($st, 400, 'a malformed version: 400');
    ($res) = proxy_raw("GET /ok/v HTTP/1.1\r\nConnection: close\r\n\r\n");
    is($res && $res->code, 400, 'HTTP/1.1 without Host: 400');
};

subtest 'the proxy still works after all this' => sub {
    my ($st, $e) = raw('/ok/final');
    is($st, 200, 'status 200');
    is($e && $e->{path}, '/base/final', 'routed as before');
};

subtest 'no child crashed' => sub {
    my $log = error_log_since($log_start);
    my @crash = grep { /Segmentation fault|exit signal|AH00052|AddressSanitizer|runtime error:/ }
        split /\n/, $log;
    is(scalar(@crash), 0, 'no crash in t/logs/error_log') or diag join "\n", @crash[0 .. 9];
    # the MPM may start more children under load, but a child that crashed
    # is gone
    my %now = map { $_ => 1 } httpd_children();
    my @gone = grep { !$now{$_} } @children;
    is(scalar(@gone), 0, 'every httpd child that ran before still runs')
        or diag "gone: @gone; running: " . join(' ', sort keys %now);
};
