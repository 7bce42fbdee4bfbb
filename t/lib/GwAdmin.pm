# GwAdmin: request and assertion helpers for the Admin API suites (t/admin).
#
# Every call goes to the Apache::Test vhost `gateway_admin` (t/conf/extra.conf.in)
# and returns (status, decoded JSON body or undef, HTTP::Response).  Bodies can be
# sent as JSON (a Perl structure), form-urlencoded (a ready string or pairs),
# multipart/form-data (pairs) or raw bytes with any Content-Type.  json_match()
# compares a decoded body with an expected structure exactly: key sets, JSON types
# (80 is not "80", null is not false) and values, with matchers for ids and
# timestamps.  reset_db() empties every entity table so that each .t starts clean.
package GwAdmin;

use strict;
use warnings;

use Exporter qw(import);
use JSON::PP ();
use HTTP::Request ();
use HTTP::Request::Common ();
use HTTP::Response ();
use URI::Escape qw(uri_escape uri_escape_utf8);
use MIME::Base64 ();
use Test::Builder ();
use Apache::TestRequest ();
use GwTest ();

our @EXPORT = qw(
    api_request api_get api_post api_put api_patch api_delete api_head api_options
    raw_http seg form_encode
    reset_db sql_lines sql_count
    jtrue jfalse any_uuid any_ts any_int any_string any_of matches
    json_enc json_dec json_match expect status_is
    service_expect route_expect b64url_decode
);

# test names and diagnostics may carry UTF-8 entity names
binmode STDOUT, ':encoding(UTF-8)';
binmode STDERR, ':encoding(UTF-8)';

my $JSON_OUT = JSON::PP->new->utf8->canonical->allow_nonref;
my $JSON_IN  = JSON::PP->new->utf8->allow_nonref;

sub jtrue  { JSON::PP::true }
sub jfalse { JSON::PP::false }

sub json_enc { $JSON_OUT->encode($_[0]) }

sub json_dec {
    my $text = shift;
    return undef if !defined $text || $text eq '';
    my $v = eval { $JSON_IN->decode($text) };
    return $@ ? undef : $v;
}

# ------------------------------------------------------------------ transport

my $ua;

sub _ua {
    return $ua if $ua;
    Apache::TestRequest::module('gateway_admin');
    $ua = Apache::TestRequest::user_agent(reset => 1, keep_alive => 1,
                                          requests_redirectable => 0);
    $ua->timeout(30);
    return $ua;
}

sub _base {
    _ua();
    return 'http://' . Apache::TestRequest::hostport();
}

# Percent-encodes one path segment (UTF-8 first, every reserved byte escaped).
sub seg { uri_escape_utf8($_[0], '^A-Za-z0-9\-._~') }

# Form-encodes pairs the way curl --data does for simple values: keys keep their
# brackets and dots, values are fully escaped.  Character strings are sent UTF-8.
sub form_encode {
    my @pairs = @{ $_[0] };
    my @out;
    while (my ($k, $v) = splice @pairs, 0, 2) {
        push @out, uri_escape_utf8($k, '^A-Za-z0-9\-._~\[\]')
            . '=' . (defined $v ? uri_escape_utf8($v, '^A-Za-z0-9\-._~') : '');
    }
    return join '&', @out;
}

sub _bytes {
    my $s = shift;
    utf8::encode($s) if utf8::is_utf8($s);
    return $s;
}

# api_request(METHOD, PATH, %opt) with one body option:
#   json => STRUCT        application/json, encoded canonically
#   form => STRING|PAIRS  application/x-www-form-urlencoded
#   multipart => PAIRS    multipart/form-data
#   raw => BYTES          sent as is; add type => CT (or none to send no Content-Type)
# and optionally headers => [name => value, ...] (duplicates allowed) and
# type => CT to override the Content-Type of json/form bodies.
sub api_request {
    my ($method, $path, %opt) = @_;
    my $url = _base() . $path;
    my $req;

    if (exists $opt{multipart}) {
        my @parts = map { defined $_ ? _bytes($_) : '' } @{ $opt{multipart} };
        $req = HTTP::Request::Common::POST($url, Content_Type => 'form-data',
                                           Content => \@parts);
        $req->method($method);
    }
    else {
        $req = HTTP::Request->new($method => $url);
        if (exists $opt{json}) {
            $req->content(json_enc($opt{json}));
            $req->header('Content-Type' => $opt{type} // 'application/json');
        }
        elsif (exists $opt{form}) {
            my $f = ref $opt{form} ? form_encode($opt{form}) : _bytes($opt{form});
            $req->content($f);
            $req->header('Content-Type' =>
                         $opt{type} // 'application/x-www-form-urlencoded');
        }
        elsif (exists $opt{raw}) {
            $req->content($opt{raw});
            $req->header('Content-Type' => $opt{type}) if defined $opt{type};
        }
    }
    if (defined $req->content && length $req->content) {
        $req->header('Content-Length' => length $req->content);
    }
    elsif ($method =~ /^(?:POST|PUT|PATCH)$/) {
        $req->header('Content-Length' => 0);
    }
    my @h = @{ $opt{headers} || [] };
    while (my ($k, $v) = splice @h, 0, 2) {
        $req->push_header($k => $v);
    }

    my $res = _ua()->request($req);
    return ($res->code, json_dec($res->content), $res);
}

# api_post(PATH, STRUCT) sends STRUCT as JSON; api_post(PATH, %opt) as above.
sub _shortcut {
    my $method = shift;
    my $path   = shift;
    return api_request($method, $path, json => $_[0]) if @_ == 1 && ref $_[0];
    return api_request($method, $path, @_);
}

sub api_get     { _shortcut('GET',     @_) }
sub api_post    { _shortcut('POST',    @_) }
sub api_put     { _shortcut('PUT',     @_) }
sub api_patch   { _shortcut('PATCH',   @_) }
sub api_delete  { _shortcut('DELETE',  @_) }
sub api_head    { _shortcut('HEAD',    @_) }
sub api_options { _shortcut('OPTIONS', @_) }

# Sends REQUEST_BYTES verbatim on a fresh connection to the admin vhost and
# returns (status, decoded JSON or undef, HTTP::Response).  Use HTTP/1.0 and no
# keep-alive so the response is read to EOF without chunked framing.
sub raw_http {
    my $bytes = shift;
    _ua();
    my $sock = Apache::TestRequest::vhost_socket('gateway_admin')
        or die "cannot connect to gateway_admin: $!";
    $sock->autoflush(1);
    print {$sock} $bytes;
    my $text = '';
    local $/;
    while (defined(my $chunk = <$sock>)) { $text .= $chunk; }
    close $sock;
    my $res = HTTP::Response->parse($text);
    my $body = $res->content;
    return ($res->code, json_dec($body), $res);
}

# ------------------------------------------------------------------ database

# Empties every entity table the migrations made (and no other).
my @ENTITY_TABLES = qw(plugins routes services targets upstreams keyauth_credentials
    basicauth_credentials hmacauth_credentials jwt_secrets acls consumers snis
    certificates ca_certificates);

sub reset_db {
    my $list = join ',', map { "'$_'" } @ENTITY_TABLES;
    GwTest::psql(<<"SQL");
DO \$\$
DECLARE tables text;
BEGIN
    SELECT string_agg(quote_ident(t), ', ') INTO tables
      FROM unnest(ARRAY[$list]) AS t WHERE to_regclass(t) IS NOT NULL;
    EXECUTE 'TRUNCATE ' || tables || ' CASCADE';
END
\$\$;
SQL
}

# slurp_file(PATH): a file's bytes (a fixture), relative to the checkout.
sub slurp_file {
    my $path = shift;
    open my $fh, '<', $path or die "$path: $!";
    local $/;
    return scalar <$fh>;
}

# Runs SQL whose select list is one text expression and returns its values.
# The expression is wrapped in markers so the result can be read whatever
# output format GwTest::psql chooses (aligned or not, headers or not).
sub sql_lines {
    my ($expr, $rest) = @_;
    my $out = join "\n", GwTest::psql("SELECT '<<' || ($expr) || '>>' $rest");
    return $out =~ /<<(.*?)>>/gs;
}

sub sql_count {
    my $rest = shift;
    my ($n) = sql_lines('count(*)::text', $rest);
    return $n;
}

# ------------------------------------------------------------------ matchers

package GwAdmin::Matcher {
    sub new { my ($c, $desc, $code) = @_; bless { desc => $desc, code => $code }, $c }
}

sub matches { GwAdmin::Matcher->new($_[0], $_[1]) }

my $UUID_RE = qr/\A[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\z/;

sub any_uuid {
    matches('a lowercase UUID',
            sub { defined $_[0] && !ref $_[0] && json_enc($_[0]) =~ /^"/ && $_[0] =~ $UUID_RE });
}

# An integer Unix time (JSON number, no fraction) within an hour of this clock.
sub any_ts {
    matches('an integer timestamp near now', sub {
        my $v = shift;
        return 0 unless defined $v && !ref $v && json_enc($v) =~ /\A\d+\z/;
        return abs($v - time) < 3600;
    });
}

sub any_int {
    matches('a JSON integer',
            sub { defined $_[0] && !ref $_[0] && json_enc($_[0]) =~ /\A-?\d+\z/ });
}

sub any_string {
    matches('a JSON string',
            sub { defined $_[0] && !ref $_[0] && json_enc($_[0]) =~ /\A"/ });
}

sub any_of {
    my @alts = @_;
    matches('one of ' . join(' | ', map { ref $_ eq 'GwAdmin::Matcher' ? $_->{desc} : json_enc($_) } @alts),
            sub { my $v = shift; for (@alts) { return 1 if !_diff($v, $_, '$') } 0 });
}

# Returns a list of "path: problem" strings; empty when GOT matches EXP.
sub _diff {
    my ($got, $exp, $path) = @_;
    if (ref $exp eq 'GwAdmin::Matcher') {
        return () if $exp->{code}->($got);
        return ("$path: expected $exp->{desc}, got " . _show($got));
    }
    if (!defined $exp) {
        return defined $got ? ("$path: expected null, got " . _show($got)) : ();
    }
    if (JSON::PP::is_bool($exp)) {
        return () if JSON::PP::is_bool($got) && (!!$got == !!$exp);
        return ("$path: expected " . json_enc($exp) . ", got " . _show($got));
    }
    if (ref $exp eq 'Regexp') {
        return () if defined $got && !ref $got && json_enc($got) =~ /\A"/ && $got =~ $exp;
        return ("$path: expected a string matching $exp, got " . _show($got));
    }
    if (ref $exp eq 'HASH') {
        return ("$path: expected an object, got " . _show($got)) unless ref $got eq 'HASH';
        my @e;
        for my $k (sort keys %$exp) {
            if (!exists $got->{$k}) { push @e, "$path.$k: missing"; next }
            push @e, _diff($got->{$k}, $exp->{$k}, "$path.$k");
        }
        for my $k (sort keys %$got) {
            push @e, "$path.$k: unexpected key (" . _show($got->{$k}) . ")" unless exists $exp->{$k};
        }
        return @e;
    }
    if (ref $exp eq 'ARRAY') {
        return ("$path: expected an array, got " . _show($got)) unless ref $got eq 'ARRAY';
        return ("$path: expected " . @$exp . " elements, got " . _show($got)) if @$got != @$exp;
        return map { _diff($got->[$_], $exp->[$_], "$path\[$_]") } 0 .. $#$exp;
    }
    # plain scalar: compare the JSON text so that types count ("80" != 80)
    return () if defined $got && !ref $got && json_enc($got) eq json_enc($exp);
    return ("$path: expected " . json_enc($exp) . ", got " . _show($got));
}

sub _show {
    my $v = shift;
    my $s = eval { json_enc($v) } // "$v";
    $s = substr($s, 0, 300) . '...' if length $s > 300;
    return $s;
}

# json_match(GOT, EXPECTED, NAME): one test; on failure prints every mismatch.
sub json_match {
    my ($got, $exp, $name) = @_;
    my $tb = Test::Builder->new;
    my @d = _diff($got, $exp, '$');
    my $ok = $tb->ok(!@d, $name);
    $tb->diag(join "\n", @d) if @d;
    return $ok;
}

# status_is(RES_OR_STATUS, EXPECTED, NAME): one test; on failure shows the body.
sub status_is {
    my ($res, $want, $name) = @_;
    my $tb = Test::Builder->new;
    my $got = ref $res ? $res->code : $res;
    my $ok = $tb->ok(defined $got && $got == $want, $name);
    if (!$ok) {
        $tb->diag("status: got " . ($got // 'undef') . ", want $want");
        $tb->diag('body: ' . substr($res->content // '', 0, 600)) if ref $res;
    }
    return $ok;
}

# expect(NAME, [api_xxx(...)], STATUS, BODY): one test on status and exact body.
# BODY may be undef to check the status only, or '' to require an empty body.
sub expect {
    my ($name, $call, $status, $body) = @_;
    my ($st, $json, $res) = @$call;
    my $tb = Test::Builder->new;
    my @d;
    push @d, "status: got $st, want $status" if $st != $status;
    if (defined $body && !ref $body && $body eq '') {
        push @d, 'expected an empty body, got: ' . substr($res->content, 0, 300)
            if length $res->content;
    }
    elsif (defined $body) {
        if (!defined $json) {
            push @d, 'body is not JSON: ' . substr($res->content // '', 0, 300);
        }
        else {
            push @d, _diff($json, $body, '$');
        }
    }
    my $ok = $tb->ok(!@d, $name);
    if (@d) {
        $tb->diag(join "\n", @d);
        $tb->diag('raw body: ' . substr($res->content // '', 0, 600));
    }
    return $ok;
}

sub b64url_decode {
    my $s = shift;
    $s =~ tr{-_}{+/};
    $s .= '=' x ((4 - length($s) % 4) % 4);
    return MIME::Base64::decode_base64($s);
}

# ------------------------------------------------------------------ entities

# The full JSON of a service with Kong's defaults, overridden by %over.
sub service_expect {
    my %over = @_;
    return {
        id                 => any_uuid(),
        created_at         => any_ts(),
        updated_at         => any_ts(),
        name               => undef,
        retries            => 5,
        protocol           => 'http',
        host               => 'example.com',
        port               => 80,
        path               => undef,
        connect_timeout    => 60000,
        write_timeout      => 60000,
        read_timeout       => 60000,
        tags               => undef,
        client_certificate => undef,
        tls_verify         => undef,
        tls_verify_depth   => undef,
        ca_certificates    => undef,
        enabled            => jtrue(),
        %over,
    };
}

# The full JSON of a route (traditional_compatible flavour) with Kong's defaults.
sub route_expect {
    my %over = @_;
    return {
        id                         => any_uuid(),
        created_at                 => any_ts(),
        updated_at                 => any_ts(),
        name                       => undef,
        protocols                  => [ 'http', 'https' ],
        methods                    => undef,
        hosts                      => undef,
        paths                      => undef,
        headers                    => undef,
        snis                       => undef,
        sources                    => undef,
        destinations               => undef,
        https_redirect_status_code => 426,
        regex_priority             => 0,
        strip_path                 => jtrue(),
        preserve_host              => jfalse(),
        path_handling              => 'v0',
        request_buffering          => jtrue(),
        response_buffering         => jtrue(),
        tags                       => undef,
        service                    => undef,
        %over,
    };
}

1;
