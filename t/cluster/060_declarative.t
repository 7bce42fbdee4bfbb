# Declarative configuration end to end (kong-behaviour.md §5.3, issue 4):
# a Kong file with every kind of entity (t/cluster/fixtures/kong-full.yml)
#  - imports into PostgreSQL with `gatewayctl config db_import`, all or
#    nothing, and the Admin API then shows every entity;
#  - exports with `gatewayctl config db_export`, imports into an empty
#    database and exports again to the same bytes;
#  - serves traffic from a DB-less node loading the same file, whose Admin
#    API shows the same entities with the same ids.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use File::Temp ();
use Test::More;
use GwCluster;

my $tmp = File::Temp::tempdir('gw-decl.XXXXXX', TMPDIR => 1, CLEANUP => 1);
chmod 0755, $tmp;

sub write_file {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print {$fh} $text;
    close $fh;
    chmod 0644, $path;
}

my $TABLES = 'services, routes, consumers, plugins, upstreams, targets, certificates, snis, '
           . 'ca_certificates, keyauth_credentials, basicauth_credentials, hmacauth_credentials, '
           . 'jwt_secrets, acls';

# what the Admin API lists, as "path: sorted ids"
my @LISTS = qw(/services /routes /consumers /plugins /upstreams /certificates /snis
               /ca_certificates /key-auths /basic-auths /hmac-auths /jwts /acls
               /upstreams/up-a/targets /consumers/alice/key-auth /consumers/alice/acls
               /services/svc-a/plugins /routes/route-a/plugins /consumers/alice/plugins
               /certificates/example.test/snis);

sub listing {
    my ($c, $k) = @_;
    my %out;
    for my $path (@LISTS) {
        my ($st, $b) = $c->admin($k, GET => "$path?size=1000");
        $out{$path} = $st == 200 ? join(',', sort map { $_->{id} } @{ $b->{data} }) : "status $st";
    }
    return \%out;
}

my $db = GwCluster->start(nodes => 1);
my $template = GwCluster::slurp("$FindBin::Bin/fixtures/kong-full.yml");
(my $text = $template) =~ s/\@UPSTREAM\@/$db->upstream_url/ge;
my $fixture = "$tmp/kong-full.yml";
write_file($fixture, $text);

my $db_listing;

subtest 'config parse validates without a database' => sub {
    my ($rc, $out, $err) = $db->gatewayctl('config', 'parse', $fixture);
    is($rc, 0, 'exit 0') or diag($err);
    like($out, qr/^parse successful: .*2 services.*3 routes/, 'says what it holds');
    write_file("$tmp/bad.yml", "_format_version: \"3.0\"\nroutes:\n  - name: r\n    service: nope\n    paths: [/x]\n");
    ($rc, $out, $err) = $db->gatewayctl('config', 'parse', "$tmp/bad.yml");
    is($rc, 1, 'a dangling reference: exit 1');
    like($err, qr/declarative config is invalid/, "Kong's message");
};

subtest 'db_import writes every entity' => sub {
    my ($rc, $out, $err) = $db->gatewayctl('config', 'db_import', $fixture);
    is($rc, 0, 'exit 0') or diag($err);
    like($out, qr/^import successful/, 'import successful');
    ok($db->wait_until(5, sub { $db->serves(1, '/a/hello.txt') }), 'the node serves the imported route');
    $db_listing = listing($db, 1);
    for my $path (@LISTS) {
        unlike($db_listing->{$path}, qr/^status|^$/, "$path lists entities");
    }
    my (undef, $b) = $db->admin(1, GET => '/consumers/alice/basic-auth');
    isnt($b->{data}[0]{password}, 's3cret', 'the basic-auth password is stored hashed');
    my (undef, $p) = $db->admin(1, GET => '/plugins?size=100');
    my ($combo) = grep { $_->{name} eq 'rate-limiting' && $_->{consumer} } @{ $p->{data} };
    ok($combo && $combo->{service} && $combo->{route}, 'a plugin scoped to service, route and consumer');
};

subtest 'export, import into an empty database, export again: same file' => sub {
    my ($rc, $out, $err) = $db->gatewayctl('config', 'db_export', "$tmp/a.yml");
    is($rc, 0, 'export') or diag($err);
    $db->psql("TRUNCATE $TABLES CASCADE");
    my (undef, $b) = $db->admin(1, GET => '/services');
    is(scalar @{ $b->{data} }, 0, 'the database is empty');
    ($rc, $out, $err) = $db->gatewayctl('config', 'db_import', "$tmp/a.yml");
    is($rc, 0, 're-import') or diag($err);
    ($rc, $out, $err) = $db->gatewayctl('config', 'db_export', "$tmp/b.yml");
    is($rc, 0, 'export again');
    my ($a, $bb) = (GwCluster::slurp("$tmp/a.yml"), GwCluster::slurp("$tmp/b.yml"));
    ok(length $a > 1000, 'a real export (' . length($a) . ' bytes)');
    ok($a eq $bb, 'byte for byte the same') or diag("diff:\n" . `diff $tmp/a.yml $tmp/b.yml | head -20`);
    is_deeply(listing($db, 1), $db_listing, 'the Admin API lists the same ids');
    ($rc, $out, $err) = $db->gatewayctl('config', 'db_export', "$tmp/a.json");
    is($rc, 0, 'JSON export');
    like(GwCluster::slurp("$tmp/a.json"), qr/^\{"_format_version":"3\.0"/, 'JSON when the file says .json');
};

subtest 'a failed import changes nothing' => sub {
    my $before = listing($db, 1);
    # the same name under another id conflicts with the stored service
    write_file("$tmp/conflict.yml", "_format_version: \"3.0\"\nconsumers:\n  - username: new-one\n"
        . "services:\n  - name: svc-a\n    id: 5a1c1a5e-0000-4000-8000-000000000001\n    host: x.test\n");
    my ($rc, $out, $err) = $db->gatewayctl('config', 'db_import', "$tmp/conflict.yml");
    is($rc, 1, 'exit 1');
    like($err, qr/nothing imported.*UNIQUE violation/s, 'says why and that nothing was imported');
    is_deeply(listing($db, 1), $before, 'nothing changed');
    my ($st) = $db->admin(1, GET => '/consumers/new-one');
    is($st, 404, 'not even the entities before the conflict');
};

$db->finish;

my $dbless = GwCluster->start(nodes => 1, dbless => $fixture);
# the DB-less node's upstream is another port: point the file at it
($text = $template) =~ s/\@UPSTREAM\@/$dbless->upstream_url/ge;
write_file($fixture, $text);
$dbless->node_graceful(1);

subtest 'the same file on a DB-less node' => sub {
    ok($dbless->wait_until(10, sub { $dbless->serves(1, '/a/hello.txt') }, 0.05), 'serves /a');
    my $l = listing($dbless, 1);
    is_deeply($l, $db_listing, 'the same entities with the same ids as the database node');
    my (undef, $b) = $dbless->admin(1, GET => '/certificates/example.test');
    is_deeply([ sort @{ $b->{snis} || [] } ], [ '*.example.test', 'example.test' ], 'certificate by SNI, with its snis');
};

$dbless->finish;
done_testing();
