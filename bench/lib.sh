# shellcheck shell=bash
# bench/lib.sh: shell functions shared by the benchmarks in bench/. Source
# it from bash after `set -euo pipefail`; it sources script/lib.sh (the
# PostgreSQL sandbox, free ports, httpd binary and LoadModule lines).
#
# A benchmark calls bench_init first. Everything it starts afterwards
# (PostgreSQL, httpd instances) lives in one temporary folder, BENCH_DIR,
# and is recorded by PID; the EXIT trap set by bench_init stops each of
# those processes by its PID and removes the folder (BENCH_KEEP=1 keeps it,
# for reading the logs). Only loopback addresses are used.
#
# Environment understood by every benchmark:
#   BENCH_KEEP=1     keep BENCH_DIR after the run
#   BENCH_PG_OPTS    extra postgres options (default "-c fsync=off": the
#                    benchmarks measure the gateway, not the disk)

# shellcheck source=script/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../script/lib.sh"

BENCH_DIR=
BENCH_PIDS=()
BENCH_PG_PORT=
BENCH_DB_PARAMS=
BENCH_HTTPD=$(gw_httpd_bin)
# results of the last bench_wrk, read by the benchmarks
BENCH_RPS=''
BENCH_CPU_US=''

# The MPM and keep-alive settings of every httpd a benchmark starts (the
# measured one and the upstream alike). Two children of 32 threads are
# started at once and never replaced, so no child is spawned or reaped
# during a measurement; client connections are never closed by the server
# (MaxKeepAliveRequests 0), so wrk measures requests, not TCP handshakes.
bench_mpm_conf()
{
    cat <<'EOF'
StartServers 2
ServerLimit 2
ThreadLimit 32
ThreadsPerChild 32
MinSpareThreads 32
MaxSpareThreads 64
MaxRequestWorkers 64
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 30
EOF
}

# bench_init NAME: creates BENCH_DIR and installs the cleanup trap. The
# modules are copied out of the build tree so that a rebuild during a run
# cannot change a library under a running httpd.
bench_init()
{
    local name=$1
    [ "$(id -u)" = 0 ] || gw_die "the benchmarks run as root (httpd with User www-data, PostgreSQL as postgres)"
    command -v wrk >/dev/null || gw_die "wrk is not installed (apt-get install wrk)"
    for so in mod_gateway/.libs/mod_gateway.so admin_handler/.libs/mod_gateway_admin.so; do
        [ -f "$GW_ROOT/$so" ] || gw_die "$so is not built (run make)"
    done
    [ -x "$GW_ROOT/bin/gatewayctl" ] || gw_die "bin/gatewayctl is not built (run make)"
    BENCH_DIR=$(mktemp -d "/tmp/gw-bench-$name.XXXXXX")
    chmod 755 "$BENCH_DIR"
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
    mkdir -p "$BENCH_DIR/modules"
    cp "$GW_ROOT/mod_gateway/.libs/mod_gateway.so" \
        "$GW_ROOT/admin_handler/.libs/mod_gateway_admin.so" "$BENCH_DIR/modules/"
}

# bench_track PID: stop PID in the cleanup.
bench_track()
{
    BENCH_PIDS+=("$1")
}

# bench_alive PID: true while PID runs. A zombie counts as gone: the
# daemons are re-parented to PID 1, which need not reap them.
bench_alive()
{
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [ "${stat%% *}" != Z ]
}

# bench_stop_pid PID SIGNAL: sends SIGNAL to PID and waits up to 20 s for it
# to exit, then sends SIGKILL.
bench_stop_pid()
{
    local pid=$1 sig=$2 i
    bench_alive "$pid" || return 0
    kill "-$sig" "$pid" 2>/dev/null || return 0
    for i in $(seq 1 200); do
        bench_alive "$pid" || return 0
        sleep 0.1
    done
    gw_say "pid $pid did not stop on SIG$sig: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

bench_cleanup()
{
    local i pid
    trap - EXIT
    # newest first: httpd instances before the database they use
    for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
        pid=${BENCH_PIDS[$i]}
        if [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm")" = postgres ]; then
            bench_stop_pid "$pid" INT # PostgreSQL's fast shutdown
        else
            bench_stop_pid "$pid" TERM # httpd stops its children itself
        fi
    done
    if [ -n "$BENCH_DIR" ] && [ -d "$BENCH_DIR" ]; then
        if [ "${BENCH_KEEP:-0}" = 1 ]; then
            gw_say "kept $BENCH_DIR"
        else
            rm -rf "$BENCH_DIR"
        fi
    fi
}

# bench_pg_start: a private PostgreSQL on a free port with a migrated
# database "gateway". Sets BENCH_PG_PORT and BENCH_DB_PARAMS.
bench_pg_start()
{
    local home=$BENCH_DIR/pg
    BENCH_PG_PORT=$(gw_free_port)
    gw_pg_start "$home" "$BENCH_PG_PORT" "${BENCH_PG_OPTS:--c fsync=off}"
    bench_track "$(head -n 1 "$home/data/postmaster.pid")"
    bench_db_create gateway
}

# bench_db_create NAME: creates and migrates database NAME on the private
# PostgreSQL and points BENCH_DB_PARAMS (used by bench_node_conf) at it.
bench_db_create()
{
    local name=$1 log=$BENCH_DIR/pg/migrations-$1.log
    gw_pg_ensure_db "$BENCH_PG_PORT" "$name" >/dev/null
    BENCH_DB_PARAMS="host=127.0.0.1 port=$BENCH_PG_PORT dbname=$name user=postgres"
    gw_gatewayctl --db "$BENCH_DB_PARAMS" migrations bootstrap >"$log" 2>&1 \
        || { cat "$log" >&2; gw_die "migrations of $name failed"; }
}

# bench_httpd_start NAME: starts the httpd whose configuration is
# BENCH_DIR/NAME/conf/httpd.conf and records its PID.
bench_httpd_start()
{
    local name=$1 root=$BENCH_DIR/$1 i
    "$BENCH_HTTPD" -t -f "$root/conf/httpd.conf" >"$root/logs/configtest.log" 2>&1 || {
        cat "$root/logs/configtest.log" >&2
        gw_die "httpd rejects $root/conf/httpd.conf"
    }
    "$BENCH_HTTPD" -f "$root/conf/httpd.conf" -k start
    for i in $(seq 1 100); do
        [ -s "$root/run/httpd.pid" ] && break
        sleep 0.1
    done
    [ -s "$root/run/httpd.pid" ] || gw_die "httpd $name wrote no pid file ($root/logs/error_log)"
    bench_track "$(head -n 1 "$root/run/httpd.pid")"
}

# bench_httpd_root NAME: creates BENCH_DIR/NAME/{conf,logs,run} and prints
# its path.
bench_httpd_root()
{
    local root=$BENCH_DIR/$1
    mkdir -p "$root/conf" "$root/logs" "$root/run"
    printf '%s\n' "$root"
}

# bench_upstream_start NAME PORT: a plain httpd serving the static file
# /hello.txt (13 bytes) on 127.0.0.1:PORT, keep-alive without limit.
bench_upstream_start()
{
    local name=$1 port=$2 root
    root=$(bench_httpd_root "$name")
    mkdir -p "$root/htdocs"
    printf 'hello, world\n' >"$root/htdocs/hello.txt"
    cat >"$root/conf/httpd.conf" <<EOF
ServerRoot "$root"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
User www-data
Group www-data
PidFile run/httpd.pid
DefaultRuntimeDir run
ErrorLog logs/error_log
LogLevel warn
LoadModule mpm_event_module  $(gw_httpd_modules_dir)/mod_mpm_event.so
LoadModule authz_core_module $(gw_httpd_modules_dir)/mod_authz_core.so
$(bench_mpm_conf)
DocumentRoot "$root/htdocs"
<Directory "$root/htdocs">
    Require all granted
</Directory>
EOF
    bench_httpd_start "$name"
    gw_wait_http "http://127.0.0.1:$port/hello.txt" 30 || gw_die "upstream $name does not answer"
}

# bench_node_conf NAME PROXY_PORT ADMIN_PORT [EXTRA]: writes the
# configuration of a gateway node: the Admin API on ADMIN_PORT, a
# `Gateway On` vhost on PROXY_PORT, and EXTRA (more Listen/VirtualHost
# lines) appended. No access log: every path measured pays the same.
# Every other vhost says `Gateway Off` itself: a vhost without any
# gateway_module directive gets the main server's unmerged configuration
# from httpd (the module does not set AP_MODULE_FLAG_ALWAYS_MERGE), in
# which Gateway is unset (-1) and so acts as On, with fallthrough.
bench_node_conf()
{
    local name=$1 proxy=$2 admin=$3 extra=${4:-} root
    root=$(bench_httpd_root "$name")
    cat >"$root/conf/httpd.conf" <<EOF
ServerRoot "$root"
ServerName 127.0.0.1
PidFile run/httpd.pid
DefaultRuntimeDir run
ErrorLog logs/error_log
LogLevel ${BENCH_LOGLEVEL:-warn}
$(gw_httpd_loadmodules)
LoadModule gateway_module       $BENCH_DIR/modules/mod_gateway.so
LoadModule gateway_admin_module $BENCH_DIR/modules/mod_gateway_admin.so
User www-data
Group www-data
TypesConfig /etc/mime.types
$(bench_mpm_conf)

DBDriver pgsql
DBDParams "$BENCH_DB_PARAMS"
DBDMin 0
DBDKeep 2
DBDMax 10
DBDExptime 60
GatewayDatabase postgres
GatewayNodeName $name

Listen 127.0.0.1:$admin
<VirtualHost 127.0.0.1:$admin>
    ServerName $name-admin
    Gateway Off
    <Location />
        SetHandler gateway-admin
        DirectoryCheckHandler On
        DirectorySlash Off
    </Location>
</VirtualHost>

Listen 127.0.0.1:$proxy
<VirtualHost 127.0.0.1:$proxy>
    ServerName $name-proxy
    Gateway On
</VirtualHost>
$extra
EOF
}

# bench_node_start NAME ADMIN_PORT: starts a node written by
# bench_node_conf and waits until its Admin API answers.
bench_node_start()
{
    local name=$1 admin=$2
    bench_httpd_start "$name"
    gw_wait_http "http://127.0.0.1:$admin/status" 30 || {
        tail -n 20 "$BENCH_DIR/$name/logs/error_log" >&2
        gw_die "node $name does not answer on its Admin API"
    }
}

# bench_admin ADMIN_PORT METHOD PATH [curl data args...]: one Admin API
# call; dies unless it answers 2xx.
bench_admin()
{
    local port=$1 method=$2 path=$3 out code
    shift 3
    out=$(curl -s -w '\n%{http_code}' -X "$method" "http://127.0.0.1:$port$path" "$@")
    code=${out##*$'\n'}
    case "$code" in
        2??) ;;
        *) gw_die "Admin API $method $path answered $code: ${out%$'\n'*}" ;;
    esac
}

# bench_wait_status URL CODE SECONDS: waits until URL answers CODE on
# 20 fresh connections in a row (so that every child serves it).
bench_wait_status()
{
    local url=$1 want=$2 tries=$(($3 * 10)) ok=0 code
    shift 3
    while [ "$tries" -gt 0 ]; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" "$url" || true)
        if [ "$code" = "$want" ]; then
            ok=$((ok + 1))
            [ "$ok" -ge 20 ] && return 0
            continue
        fi
        ok=0
        sleep 0.1
        tries=$((tries - 1))
    done
    return 1
}

# bench_cpu_ticks PID: CPU time (user + system, in clock ticks) used so far
# by process PID and its children (an httpd parent and its workers).
bench_cpu_ticks()
{
    local pid=$1 c
    {
        cat "/proc/$pid/stat"
        # shellcheck disable=SC2013 # the file is one line of PIDs
        for c in $(cat "/proc/$pid/task/"*/children 2>/dev/null); do
            cat "/proc/$c/stat" 2>/dev/null || true
        done
    } | sed 's/.*) //' | awk '{ t += $12 + $13 } END { print t + 0 }'
}

# bench_wrk LABEL WRK_ARGS...: runs wrk with --latency and prints one line:
#   LABEL  req/s  avg-latency  p50  p99  non-2xx  socket-errors  [cpu]
# When BENCH_CPU_PID names an httpd parent, the line ends with the CPU time
# that httpd (parent and children) used per request, in microseconds: a
# figure that, unlike req/s, does not depend on what else the machine
# runs. The raw wrk output goes to BENCH_DIR/wrk-LABEL.N.txt. Sets
# BENCH_RPS and BENCH_CPU_US.
bench_wrk()
{
    local label=$1 out n=0 t0=0 t1=0 hz
    shift
    while [ -e "$BENCH_DIR/wrk-$label.$n.txt" ]; do n=$((n + 1)); done
    out=$BENCH_DIR/wrk-$label.$n.txt
    [ -z "${BENCH_CPU_PID:-}" ] || t0=$(bench_cpu_ticks "$BENCH_CPU_PID")
    wrk --latency "$@" >"$out" 2>&1 || { cat "$out" >&2; gw_die "wrk failed"; }
    [ -z "${BENCH_CPU_PID:-}" ] || t1=$(bench_cpu_ticks "$BENCH_CPU_PID")
    hz=$(getconf CLK_TCK)
    # shellcheck disable=SC2034 # read by the benchmarks
    BENCH_RPS=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    BENCH_CPU_US=$(awk -v d=$((t1 - t0)) -v hz="$hz" \
        '/requests in/ { n = $1 } END { if (n > 0) printf "%.0f", d / hz * 1e6 / n; else print 0 }' "$out")
    awk -v label="$label" -v cpu="${BENCH_CPU_PID:+$BENCH_CPU_US}" '
        function ms(v) {
            if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
            if (v ~ /ms$/) { sub(/ms$/, "", v); return v + 0 }
            if (v ~ /s$/)  { sub(/s$/, "", v);  return v * 1000 }
            return v
        }
        /^ +Latency / && !avg { avg = ms($2) }
        /^ +50%/ { p50 = ms($2) }
        /^ +99%/ { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { non2xx = $NF }
        /Socket errors:/ { sockerr = $0; sub(/.*Socket errors: /, "", sockerr); gsub(/ /, "", sockerr) }
        /^Requests\/sec:/ { rps = $2 }
        END {
            printf "%-14s %7.0f req/s  avg %6.2f ms  p50 %6.2f ms  p99 %6.2f ms  non-2xx %s  sock-err %s",
                label, rps, avg, p50, p99, non2xx ? non2xx : 0, sockerr ? sockerr : "none"
            if (cpu != "") printf "  httpd-cpu %s us/req", cpu
            printf "\n"
        }' "$out"
}

# bench_ratio A B: prints A/B with three decimals.
bench_ratio()
{
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "n/a" }'
}

# bench_median V...: the median of the numbers given.
bench_median()
{
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# bench_machine: one line describing the machine and its load now.
bench_machine()
{
    printf 'machine: %s CPUs, %s; load:%s\n' "$(nproc)" "$(uname -r)" \
        "$(uptime | sed 's/.*load average//')"
}

# bench_create_routes ADMIN_PORT FROM TO UPSTREAM_URL: creates routes FROM
# to TO-1 through the Admin API, over one keep-alive connection, in the
# layout bench_spread_lua requests: route i belongs to host
# "svc<i/4>.example.com" and has path "/api/v1/<users|orders|invoices|
# carts>" (i % 4); each host has its own service "svc<i/4>" with url
# UPSTREAM_URL, created with its first route. Prints the time it took.
bench_create_routes()
{
    perl -MLWP::UserAgent -MTime::HiRes=time -e '
        my ($port, $from, $to, $up) = @ARGV;
        my @res = qw(users orders invoices carts);
        my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 60);
        my $base = "http://127.0.0.1:$port";
        my $t0 = time;
        sub post {
            my ($path, $form) = @_;
            my $r = $ua->post("$base$path", $form);
            $r->code == 201
                or die "POST $path: " . $r->code . " " . $r->decoded_content . "\n";
        }
        for my $i ($from .. $to - 1) {
            my $h = int($i / 4);
            post("/services", [name => "svc$h", url => $up])
                if $i % 4 == 0 || $i == $from;
            post("/services/svc$h/routes",
                 [name => "r$i", "hosts[]" => "svc$h.example.com",
                  "paths[]" => "/api/v1/" . $res[$i % 4]]);
        }
        printf "created routes %d..%d in %.1f s\n", $from, $to - 1, time - $t0;
    ' "$@"
}

# bench_spread_lua FILE: writes a wrk script that spreads requests evenly
# at random over the routes 0..N-1 of bench_create_routes (N is wrk's
# argument after --). The requests are formatted once, 8192 per thread,
# so that wrk spends no more per request than with a fixed URL.
bench_spread_lua()
{
    cat >"$1" <<'LUA'
local res = { "users", "orders", "invoices", "carts" }
local reqs, k = {}, 0
local seed = 1

setup = function(thread)
    thread:set("seed", seed)
    seed = seed + 1
end

init = function(args)
    local n = tonumber(args[1])
    math.randomseed(seed * 7919)
    for j = 1, 8192 do
        local i = math.random(0, n - 1)
        reqs[j] = wrk.format("GET",
            "/api/v1/" .. res[i % 4 + 1] .. "/hello.txt",
            { Host = "svc" .. math.floor(i / 4) .. ".example.com" })
    end
end

request = function()
    k = k % #reqs + 1
    return reqs[k]
end
LUA
}
