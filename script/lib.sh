# script/lib.sh: shell functions shared by script/bootstrap, script/server,
# script/test and script/pg. Source it from bash; it defines functions and
# GW_ROOT (the repository root) and changes nothing else.
#
# PostgreSQL sandbox layout, used by every caller: one folder HOME holding
#   HOME/data          the cluster (PGDATA, with PostgreSQL's postmaster.pid)
#   HOME/sock          the unix socket directory
#   HOME/postgres.log  the server log
# The server listens on 127.0.0.1 only, trusts local connections and runs as
# the `postgres` user when we are root (initdb and pg_ctl refuse root).

GW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

gw_say()
{
    printf '==> %s\n' "$*" >&2
}

gw_die()
{
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# gw_free_port: prints a TCP port that nothing listens on right now, chosen
# by the kernel (bind to port 0 on every address, as Apache::Test listens on
# 0.0.0.0).
gw_free_port()
{
    perl -MIO::Socket::INET -e '
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "0.0.0.0",
                                      LocalPort => 0, ReuseAddr => 1)
            or die "cannot bind: $!\n";
        print $s->sockport, "\n";'
}

# gw_port_busy PORT: true when something accepts connections on
# 127.0.0.1:PORT.
gw_port_busy()
{
    perl -MIO::Socket::INET -e '
        exit(IO::Socket::INET->new(PeerAddr => "127.0.0.1",
                                   PeerPort => $ARGV[0],
                                   Timeout => 1) ? 0 : 1);' "$1"
}

# gw_pg_bindir: the PostgreSQL server binaries. GW_PG_BIN wins; otherwise the
# newest /usr/lib/postgresql/N/bin (Debian keeps initdb and pg_ctl off PATH).
gw_pg_bindir()
{
    if [ -n "${GW_PG_BIN:-}" ]; then
        printf '%s\n' "$GW_PG_BIN"
        return
    fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$d" ] || [ ! -x "$d/pg_ctl" ]; then
        d=$(dirname "$(command -v pg_ctl 2>/dev/null || echo /none/pg_ctl)")
    fi
    [ -x "$d/pg_ctl" ] || gw_die "PostgreSQL server binaries not found (install postgresql)"
    printf '%s\n' "$d"
}

# gw_as_pg_owner CMD...: runs CMD as the cluster owner: `postgres` when we
# are root, ourselves otherwise. The working directory is / so that a
# repository under a private home does not break the postgres user.
gw_as_pg_owner()
{
    if [ "$(id -u)" = 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# gw_pg_prepare HOME: creates HOME and hands it to the cluster owner; fails
# with an explanation when that user cannot reach it (e.g. a clone under a
# mode-700 home directory).
gw_pg_prepare()
{
    local home=$1
    mkdir -p "$home"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$home"
        chmod 700 "$home"
        if ! (cd / && runuser -u postgres -- test -w "$home"); then
            gw_die "user postgres cannot write $home (a parent folder is not searchable); set GW_SANDBOX to a folder under /var/tmp or /srv"
        fi
    fi
}

# gw_pg_sockdir HOME: the socket folder, or "" (no unix socket, TCP only)
# when the path would exceed the kernel's 107-byte limit for socket names.
gw_pg_sockdir()
{
    local sock=$1/sock
    if [ ${#sock} -gt 90 ]; then
        printf '\n'
    else
        printf '%s\n' "$sock"
    fi
}

# gw_pg_running HOME: true when the cluster in HOME/data is up, judged by
# its postmaster.pid (pg_ctl status checks that the pid is alive).
gw_pg_running()
{
    local home=$1 bin
    [ -f "$home/data/postmaster.pid" ] || return 1
    bin=$(gw_pg_bindir)
    gw_as_pg_owner "$bin/pg_ctl" -D "$home/data" status >/dev/null 2>&1
}

# gw_pg_start HOME PORT [EXTRA_POSTGRES_OPTIONS]: initialises the cluster
# on first use and starts it unless it runs already; returns when it
# accepts connections on 127.0.0.1:PORT.
gw_pg_start()
{
    local home=$1 port=$2 extra=${3:-} bin sock running_port
    bin=$(gw_pg_bindir)
    gw_pg_prepare "$home"
    sock=$(gw_pg_sockdir "$home")
    if [ ! -f "$home/data/PG_VERSION" ]; then
        gw_say "initdb $home/data"
        gw_as_pg_owner "$bin/initdb" -D "$home/data" -U postgres \
            --auth=trust -E UTF8 --locale=C.UTF-8 >"$home/initdb.log" 2>&1 \
            || { cat "$home/initdb.log" >&2; gw_die "initdb failed"; }
    fi
    if [ -n "$sock" ]; then
        mkdir -p "$sock"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$sock"
    fi
    if gw_pg_running "$home"; then
        # line 4 of postmaster.pid is the port the running server listens on
        running_port=$(sed -n 4p "$home/data/postmaster.pid")
        [ "$running_port" = "$port" ] \
            || gw_die "PostgreSQL in $home/data already runs on port $running_port, not $port"
        gw_say "PostgreSQL already running ($home/data, port $port)"
    else
        gw_say "starting PostgreSQL on 127.0.0.1:$port"
        gw_as_pg_owner "$bin/pg_ctl" -D "$home/data" -l "$home/postgres.log" \
            -o "-p $port -c listen_addresses=127.0.0.1 -k '$sock' $extra" \
            -w -t 60 start >/dev/null \
            || { tail -n 30 "$home/postgres.log" >&2; gw_die "PostgreSQL did not start"; }
    fi
    gw_pg_wait "$port" 60 || gw_die "PostgreSQL does not accept connections on port $port"
}

# gw_pg_wait PORT SECONDS: waits until the server on 127.0.0.1:PORT accepts
# connections.
gw_pg_wait()
{
    local port=$1 tries=$(($2 * 5)) bin
    bin=$(gw_pg_bindir)
    while [ "$tries" -gt 0 ]; do
        "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres && return 0
        sleep 0.2
        tries=$((tries - 1))
    done
    return 1
}

# gw_pg_stop HOME: stops the cluster (fast mode: open sessions are ended)
# if it runs; a no-op otherwise.
gw_pg_stop()
{
    local home=$1 bin
    bin=$(gw_pg_bindir)
    if gw_pg_running "$home"; then
        gw_as_pg_owner "$bin/pg_ctl" -D "$home/data" -m fast -w -t 60 stop >/dev/null
    fi
}

# gw_psql PORT DB SQL: runs SQL as postgres and prints the unaligned,
# tuples-only result; fails on the first error.
gw_psql()
{
    local port=$1 db=$2 sql=$3 bin psql
    bin=$(gw_pg_bindir)
    psql=$bin/psql
    [ -x "$psql" ] || psql=psql
    PGCONNECT_TIMEOUT=10 "$psql" -X -q -A -t -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$port" -U postgres -d "$db" -c "$sql"
}

# gw_pg_ensure_db PORT NAME: creates database NAME if absent. Prints "new"
# when it created it, "old" when it existed.
gw_pg_ensure_db()
{
    local port=$1 name=$2
    if [ "$(gw_psql "$port" postgres "SELECT 1 FROM pg_database WHERE datname = '$name'")" = 1 ]; then
        echo old
    else
        gw_psql "$port" postgres "CREATE DATABASE \"$name\"" >/dev/null
        echo new
    fi
}

# gw_gatewayctl ARGS...: the operator CLI from the build tree.
gw_gatewayctl()
{
    [ -x "$GW_ROOT/bin/gatewayctl" ] || gw_die "bin/gatewayctl is not built (run script/bootstrap)"
    "$GW_ROOT/bin/gatewayctl" "$@"
}

# gw_httpd_bin, gw_httpd_modules_dir: the system httpd and its module folder.
gw_httpd_bin()
{
    if [ -x /usr/sbin/apache2 ]; then
        echo /usr/sbin/apache2
    else
        echo "$(apxs -q SBINDIR)/$(apxs -q TARGET)"
    fi
}

gw_httpd_modules_dir()
{
    apxs -q LIBEXECDIR 2>/dev/null || echo /usr/lib/apache2/modules
}

# gw_httpd_loadmodules: the LoadModule lines of the Apache modules the
# gateway relies on (mod_watchdog is compiled into Debian's httpd and must not
# be loaded), followed by our two modules from the build tree.
gw_httpd_loadmodules()
{
    local dir m
    dir=$(gw_httpd_modules_dir)
    for m in mpm_event authz_core authz_host mime dir proxy proxy_http dbd \
             slotmem_shm socache_shmcb status ssl; do
        printf 'LoadModule %-20s %s/mod_%s.so\n' "${m}_module" "$dir" "$m"
    done
}

gw_gateway_loadmodules()
{
    printf 'LoadModule gateway_module       %s/mod_gateway/.libs/mod_gateway.so\n' "$GW_ROOT"
    printf 'LoadModule gateway_admin_module %s/admin_handler/.libs/mod_gateway_admin.so\n' "$GW_ROOT"
}

# gw_pid_alive PIDFILE NAME: true when PIDFILE names a live process whose
# command is NAME.
gw_pid_alive()
{
    local pidfile=$1 name=$2 pid
    [ -s "$pidfile" ] || return 1
    pid=$(head -n 1 "$pidfile")
    case "$pid" in '' | *[!0-9]*) return 1 ;; esac
    [ -r "/proc/$pid/comm" ] || return 1
    [ "$(cat "/proc/$pid/comm")" = "$name" ]
}

# gw_wait_http URL SECONDS: waits until URL gives any HTTP answer.
gw_wait_http()
{
    local url=$1 tries=$(($2 * 5))
    while [ "$tries" -gt 0 ]; do
        curl -s -o /dev/null --max-time 2 "$url" && return 0
        sleep 0.2
        tries=$((tries - 1))
    done
    return 1
}

# gw_pid_running PID: true when process PID exists and has not exited. A
# zombie counts as exited: a daemon that dies is re-parented to PID 1, which
# need not reap it (it does not in our containers), and `kill -0` still
# succeeds on a zombie.
gw_pid_running()
{
    local pid=$1 stat
    case "$pid" in '' | *[!0-9]*) return 1 ;; esac
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
    # the state follows the parenthesised command name, which may hold spaces
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# gw_stop_pid PID SECONDS: stops process PID: SIGTERM, then waits up to
# SECONDS for it to exit; if it is still there, SIGKILL to PID and to its
# direct children (an httpd parent that hung leaves its children behind).
# True when PID is gone; a PID that is not running is not an error.
gw_stop_pid()
{
    local pid=$1 tries=$(($2 * 10))
    gw_pid_running "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null
    while [ "$tries" -gt 0 ]; do
        gw_pid_running "$pid" || return 0
        sleep 0.1
        tries=$((tries - 1))
    done
    pkill -KILL -P "$pid" 2>/dev/null
    kill -KILL "$pid" 2>/dev/null
    sleep 0.2
    ! gw_pid_running "$pid"
}
