# DB-less mode (kong-behaviour.md §1.7 /config, §5.2): a node with
# GatewayDatabase off and no PostgreSQL at all. It loads its declarative
# file at start, answers entity reads from it, refuses entity writes with
# Kong's 405 code 12, and replaces its whole configuration atomically
# through POST /config (check_hash, invalid input changing nothing), which
# its proxy serves at once. Started as processes by script/cluster --dbless.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp ();
use HTTP::Request ();
use HTTP::Request::Common qw(POST);
use POSIX ();
use JSON::PP ();
use Time::HiRes qw(time);
use Test::More;
use GwCluster;

my $JSON = JSON::PP->new->utf8->canonical;
my $tmp  = File::Temp::tempdir('gw-dbless.XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $tmp;
my $file = "$tmp/kong.yml";

sub write_file {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print {$fh} $text;
    close $fh;
    chmod 0644, $path;
}

write_file($file, <<'YAML');
_format_version: "3.0"
consumers:
  - username: alice
    custom_id: a-1
    tags: [team-a]
  - username: bob
    tags: [team-b]
YAML

my $c = GwCluster->start(nodes => 1, dbless => $file);
my $ZEROS = '0' x 32;

subtest 'the node runs without a database' => sub {
    is($c->{postgres}{running}, 0, 'no PostgreSQL in this cluster');
    my ($st, $root) = $c->admin(1, GET => '/');
    is($st, 200, 'GET /');
    is($root->{configuration}{database}, 'off', 'configuration.database is off');
    my (undef, $status) = $c->admin(1, GET => '/status');
    ok(!exists $status->{database}, '/status has no database section');
    like($status->{configuration_hash} // '', qr/\A[0-9a-f]{32}\z/, 'configuration_hash');
    isnt($status->{configuration_hash}, $ZEROS, 'not the empty hash: the file is loaded');
};

subtest 'entity reads come from the declarative file' => sub {
    my ($st, $b) = $c->admin(1, GET => '/consumers');
    is($st, 200, 'list');
    is_deeply([ sort map { $_->{username} } @{ $b->{data} } ], [ 'alice', 'bob' ], 'both consumers');
    ($st, $b) = $c->admin(1, GET => '/consumers/alice');
    is($st, 200, 'by username');
    like($b->{id} // '', qr/\A[0-9a-f-]{36}\z/, 'with an id the file did not give');
    my $id = $b->{id};
    ($st, $b) = $c->admin(1, GET => "/consumers/$id");
    is($b->{username}, 'alice', 'by id');
    ($st, $b) = $c->admin(1, GET => '/consumers?custom_id=a-1');
    is($b->{data}[0]{username}, 'alice', '?custom_id=');
    ($st, $b) = $c->admin(1, GET => '/consumers?tags=team-b');
    is_deeply([ map { $_->{username} } @{ $b->{data} } ], [ 'bob' ], 'tags filter');
    ($st, $b) = $c->admin(1, GET => '/consumers?size=1');
    is(scalar @{ $b->{data} }, 1, 'size=1');
    ok($b->{offset}, 'an offset to the next page');
    ($st, $b) = $c->admin(1, GET => $b->{next});
    is(scalar @{ $b->{data} }, 1, 'the second page');
    is($b->{next}, undef, 'and no more');
    ($st, $b) = $c->admin(1, GET => '/tags/team-a');
    is($b->{data}[0]{entity_name}, 'consumers', '/tags from memory');
    ($st) = $c->admin(1, GET => '/consumers/nobody');
    is($st, 404, 'unknown: 404');
};

subtest 'entity writes answer 405 code 12' => sub {
    my @cases = (
        [ POST   => '/consumers',       { username => 'x' }, "cannot create 'consumers' entities when not using a database" ],
        [ PUT    => '/consumers/alice', { username => 'alice' }, "cannot create or update 'consumers' entities when not using a database" ],
        [ PATCH  => '/consumers/alice', { custom_id => 'z' }, "cannot update 'consumers' entities when not using a database" ],
        [ DELETE => '/consumers/alice', undef, "cannot remove 'consumers' entities when not using a database" ],
        [ POST   => '/services',        { host => 'a.test' }, "cannot create 'services' entities when not using a database" ],
    );
    for my $case (@cases) {
        my ($m, $path, $body, $msg) = @$case;
        my ($st, $b) = $c->admin(1, $m => $path, $body);
        is($st, 405, "$m $path: 405");
        is_deeply($b, { code => 12, name => 'operation unsupported', message => $msg }, "$m $path: Kong's body");
    }
    my ($st, $b) = $c->admin(1, GET => '/consumers/alice');
    is($b->{custom_id}, 'a-1', 'nothing changed');
};

my $config = {
    _format_version => '3.0',
    services => [ { name => 'up', url => $c->upstream_url, tags => ['t'],
                    routes => [ { name => 'up-route', paths => ['/up'] } ] } ],
    consumers => [ { username => 'carol' } ],
};
my $hash_before;

subtest 'POST /config replaces everything and the proxy serves it' => sub {
    (undef, my $s) = $c->admin(1, GET => '/status');
    $hash_before = $s->{configuration_hash};
    ok(!$c->serves(1, '/up/hello.txt'), 'no route yet');
    my ($st, $b, $res) = $c->admin(1, POST => '/config', $config);
    is($st, 201, '201') or diag($res->content);
    ok($c->wait_until(2, sub { $c->serves(1, '/up/hello.txt') }, 0.01), 'the proxy serves the new route');
    ($st, $b) = $c->admin(1, GET => '/consumers');
    is_deeply([ map { $_->{username} } @{ $b->{data} } ], [ 'carol' ], 'the old consumers are gone');
    ($st, $b) = $c->admin(1, GET => '/services/up/routes');
    is($b->{data}[0]{name}, 'up-route', 'nested read');
    (undef, $s) = $c->admin(1, GET => '/status');
    isnt($s->{configuration_hash}, $hash_before, 'the hash changed');
    is($s->{configuration}{routes}, 1, '/status counts the route');
};

subtest 'the forms Kong users post: a YAML file part, a config field, a YAML body' => sub {
    my $yaml = "_format_version: \"3.0\"\nconsumers:\n  - username: from-yaml\n";
    my $url = 'http://' . $c->node(1)->{admin} . '/config';
    my $res = GwCluster::ua()->request(POST($url, Content_Type => 'form-data',
        Content => [ config => [ undef, 'kong.yml', Content_Type => 'application/octet-stream',
                                 Content => $yaml ] ]));
    is($res->code, 201, 'curl -F config=@kong.yml') or diag($res->content);
    my (undef, $b) = $c->admin(1, GET => '/consumers');
    is_deeply([ map { $_->{username} } @{ $b->{data} } ], ['from-yaml'], 'loaded');
    $res = GwCluster::ua()->request(POST($url, [ config => $yaml =~ s/from-yaml/from-form/r ]));
    is($res->code, 201, 'a urlencoded config field');
    (undef, $b) = $c->admin(1, GET => '/consumers/from-form');
    is($b->{username}, 'from-form', 'loaded');
    my ($st) = post_raw('application/x-yaml', $yaml =~ s/from-yaml/from-body/r);
    is($st, 201, 'a YAML body');
    (undef, $b) = $c->admin(1, GET => '/consumers/from-body');
    is($b->{username}, 'from-body', 'loaded');
    ($st) = $c->admin(1, POST => '/config', $config);
    is($st, 201, 'back to the JSON configuration');
    ok($c->wait_until(5, sub { $c->serves(1, '/up/hello.txt') }, 0.05), 'served');
};

subtest 'check_hash, invalid input, missing input' => sub {
    (undef, my $s) = $c->admin(1, GET => '/status');
    my $hash = $s->{configuration_hash};
    my ($st) = $c->admin(1, POST => '/config?check_hash=1', $config);
    is($st, 304, 'same configuration with check_hash=1: 304');
    my ($st2, $b) = $c->admin(1, POST => '/config', {
        _format_version => '3.0', services => [ { name => 'bad', port => 99999 } ] });
    is($st2, 400, 'an invalid configuration: 400');
    is($b->{code}, 14, 'code 14');
    is($b->{name}, 'invalid declarative configuration', 'Kong name');
    like($b->{message} // '', qr/^declarative config is invalid: /, 'Kong message');
    ok($b->{fields}{services}, 'fields name the services');
    ($st2, $b) = $c->admin(1, POST => '/config', {});
    is($st2, 400, 'no configuration: 400');
    is_deeply($b, { message => 'expected a declarative configuration' }, 'Kong message');
    (undef, $s) = $c->admin(1, GET => '/status');
    is($s->{configuration_hash}, $hash, 'nothing changed');
    ok($c->serves(1, '/up/hello.txt'), 'still serving');
};

# post_raw(TYPE, TEXT): POST /config with that body and Content-Type.
sub post_raw {
    my ($type, $text) = @_;
    my $req = HTTP::Request->new(POST => 'http://' . $c->node(1)->{admin} . '/config');
    $req->header('Content-Type' => $type);
    $req->content($text);
    my $res = GwCluster::ua()->request($req);
    return ($res->code, eval { $JSON->decode($res->content) }, $res);
}

subtest 'bad input is refused precisely and changes nothing' => sub {
    (undef, my $s) = $c->admin(1, GET => '/status');
    my $hash = $s->{configuration_hash};
    my $laughs = "_format_version: \"3.0\"\na: &a [x, x, x, x, x, x, x, x, x, x]\n";
    $laughs .= sprintf("%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n",
                       chr(98 + $_), chr(98 + $_), (chr(97 + $_)) x 10) for 0 .. 8;
    my $t0 = time;
    my ($st, $b) = post_raw('application/yaml', $laughs);
    is($st, 400, 'billion laughs: 400');
    like($b->{message} // '', qr/declarative config is invalid/, 'as a declarative error');
    cmp_ok(time - $t0, '<', 5, 'refused quickly');
    ($st, $b) = post_raw('application/json', '{"_format_version":"3.0","consumers":[{"username":"a","username":"b"}]}');
    is($st, 400, 'a duplicate key: 400');
    like($b->{message} // '', qr/duplicate key 'username'/, 'names the key');
    ($st, $b) = post_raw('application/json', '{"_format_version":"3.0","x":' . ('[' x 200) . (']' x 200) . '}');
    is($st, 400, 'JSON nested 200 deep: 400');
    ($st, $b) = post_raw('application/yaml', "_format_version: \"3.0\"\nroutes:\n  - name: r\n    service: nowhere\n    paths: [/r]\n");
    is($st, 400, 'a dangling reference: 400');
    is($b->{code}, 14, 'code 14');
    like($b->{message}, qr/nowhere/, 'names the reference');
    ($st, $b) = post_raw('application/yaml', "_format_version: \"3.0\"\nservices:\n  - name: s\n    host: a.test\n    routes:\n      - name: r\n        paths: [/x]\n  - name: s\n    host: b.test\n");
    is($st, 400, 'a name given twice: 400');
    ($st, $b) = post_raw('text/plain', "_format_version: \"3.0\"\n");
    is($st, 415, 'an unknown Content-Type: 415');
    (undef, $s) = $c->admin(1, GET => '/status');
    is($s->{configuration_hash}, $hash, 'the configuration is the same as before');
    ok($c->serves(1, '/up/hello.txt'), 'and still served');
};

subtest 'thousands of entities in one POST /config' => sub {
    my $many = { _format_version => '3.0',
                 services => [ map { { name => "s$_", url => $c->upstream_url,
                                       routes => [ { name => "r$_", paths => ["/many$_"] } ] } } 1 .. 2000 ],
                 consumers => [ map { { username => "u$_", keyauth_credentials => [ { key => "k$_" } ] } } 1 .. 2000 ] };
    my $t0 = time;
    my ($st, $b, $res) = $c->admin(1, POST => '/config', $many);
    my $took = time - $t0;
    is($st, 201, '201 for 10,000 entities') or diag($res->content);
    diag(sprintf('POST /config with 2000 services, 2000 routes, 2000 consumers and 2000 keys: %.2f s', $took));
    ok($c->wait_until(5, sub { $c->serves(1, '/many1999/hello.txt') }, 0.05), 'served');
    (undef, $b) = $c->admin(1, GET => '/consumers/u1234/key-auth');
    is($b->{data}[0]{key}, 'k1234', 'nested credential read back');
    ($st) = $c->admin(1, POST => '/config', $config);
    is($st, 201, 'and back to the small configuration');
    ok($c->wait_until(5, sub { $c->serves(1, '/up/hello.txt') }, 0.05), 'served again');
};

subtest 'concurrent POST /config: one load at a time, nothing mixed' => sub {
    my $big = $JSON->encode({ _format_version => '3.0',
        services => [ map { { name => "b$_", url => $c->upstream_url,
                              routes => [ { name => "br$_", paths => ["/big$_"] } ] } } 1 .. 3000 ] });
    my $small = $JSON->encode($config);
    my $out = File::Temp->new;
    my $pid = fork() // die "fork: $!";
    if (!$pid) {
        # small loads, back to back, while the big one runs
        my %seen;
        my $until = time + 8;
        while (time < $until) {
            my ($st) = post_raw('application/json', $small);
            $seen{$st}++;
            last if $seen{201} && $seen{429} && $seen{201} > 3;
        }
        open my $fh, '>', $out->filename or POSIX::_exit(1);
        print {$fh} join(' ', map { "$_=$seen{$_}" } sort keys %seen);
        close $fh;
        POSIX::_exit(0);
    }
    my ($st) = post_raw('application/json', $big);
    waitpid($pid, 0);
    my %seen = GwCluster::slurp($out->filename) =~ /(\d+)=(\d+)/g;
    # whichever takes the lock first, the other is told to come back
    ok($st == 201 || $st == 429, "the big load: 201 or 429 ($st)");
    ok(!grep({ $_ != 201 && $_ != 429 } keys %seen), 'the small ones: 201 or 429 only')
        or diag(join ' ', %seen);
    diag('small loads during the big one: ' . join(', ', map { "$_ x$seen{$_}" } sort keys %seen));
    # whichever came last, the node serves exactly one of the two
    (undef, my $s) = $c->admin(1, GET => '/status');
    my $routes = $s->{configuration}{routes};
    ok($routes == 1 || $routes == 3000, "one whole configuration is served ($routes routes)");
    my ($rst) = $c->admin(1, POST => '/config', $config);
    is($rst, 201, 'back to the small configuration');
    ok($c->wait_until(5, sub { $c->serves(1, '/up/hello.txt') }, 0.05), 'served');
};

subtest 'GET /config returns the configuration as YAML' => sub {
    my ($st, $b) = $c->admin(1, GET => '/config');
    is($st, 200, '200');
    like($b->{config} // '', qr/_format_version: "?3\.0"?/, 'a declarative file');
    like($b->{config} // '', qr/name: "?up-route"?/, 'with the route');
};

subtest 'a graceful restart loads the file again' => sub {
    write_file($file, $JSON->encode({
        _format_version => '3.0',
        services => [ { name => 'again', url => $c->upstream_url,
                        routes => [ { paths => ['/again'] } ] } ] }));
    $c->node_graceful(1);
    ok($c->wait_until(10, sub { $c->serves(1, '/again/hello.txt') }, 0.05), 'serves the file');
    ok($c->wait_until(5, sub { !$c->serves(1, '/up/hello.txt') }, 0.05), 'and no longer what was posted');
};

subtest 'an invalid file keeps the node from starting' => sub {
    $c->node_stop(1);
    write_file($file, "_format_version: \"3.0\"\nservices:\n  - name: x\n");
    my $from = $c->log_size(1);
    ok(!eval { $c->node_start(1); 1 }, 'the node does not start');
    like($c->log_text(1, $from), qr/GW00175: .*declarative config is invalid/, 'the log says why');
    write_file($file, "_format_version: \"3.0\"\n");
    $c->node_start(1);
    my (undef, $s) = $c->admin(1, GET => '/status');
    is($s->{configuration}{routes}, 0, 'an empty file is a valid, empty configuration');
};

$c->finish;
done_testing();
