#!/bin/sh
# The communication graphs of the README's gallery (doc/gallery/graph_*.svg and .png):
# the three cases of the course note's figure 1.1 (threads in one process,
# processes on one computer, computers over a network) and a real server.
# Needs root: it records, and makes a network namespace for the remote machine.
#   IPCTRACE=./ipctrace IPCTRACE_DEMOS=.output/demos tools/graph_gallery.sh [DIR]
set -eu

IPCTRACE=${IPCTRACE:-./ipctrace}
TOOLS=${IPCTRACE_DEMOS:-.output/demos}
OUT=${1:-doc/gallery}
WORK=$(mktemp -d /tmp/ipctrace-graph-gallery.XXXXXX)
# the servers run as other users (nginx workers, www-data) and read the page from here
chmod 755 "$WORK"
NS=ipct-gallery-$$
NGINX_PID=

cleanup() {
	[ -n "$NGINX_PID" ] && kill -QUIT "$NGINX_PID" 2>/dev/null || true
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	ip link del ipctg0 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "graph_gallery: recording needs root: run it with sudo" >&2
	exit 1
fi
mkdir -p "$OUT"

# name, then the command to record; the graph is drawn from its trace
draw() {
	name=$1
	shift
	"$IPCTRACE" -q --no-svg --no-report -o "$WORK/$name.trace" "$@" >/dev/null
	"$IPCTRACE" graph -o "$OUT/graph_$name.svg" "$WORK/$name.trace"
	rsvg-convert -o "$OUT/graph_$name.png" "$OUT/graph_$name.svg"
	echo "graph_gallery: $OUT/graph_$name.svg"
}

# 1.1.1: threads of one process, talking through a global and a condition variable
draw threads -- "$TOOLS/threads_futex"
# 1.1.2: processes on one computer, through pipes
draw processes -- sh -c 'seq 1 200000 | sort -n | uniq -c > /dev/null'

# 1.1.3: computers over a network: a web server in a network namespace (the
# other machine, not traced) and a traced client on this one
ip netns add "$NS"
ip link add ipctg0 type veth peer name ipctg1
ip link set ipctg1 netns "$NS"
ip addr add 10.213.0.1/24 dev ipctg0
ip link set ipctg0 up
ip netns exec "$NS" ip addr add 10.213.0.2/24 dev ipctg1
ip netns exec "$NS" ip link set ipctg1 up
ip netns exec "$NS" ip link set lo up
mkdir -p "$WORK/www"
head -c 20000 /dev/zero | tr '\0' x > "$WORK/www/index.html"
ip netns exec "$NS" /usr/bin/python3 -m http.server 8000 --bind 10.213.0.2 \
	--directory "$WORK/www" >/dev/null 2>&1 &
for _ in 1 2 3 4 5 6 7 8 9 10; do
	ip netns exec "$NS" sh -c 'exec 3<>/dev/tcp/10.213.0.2/8000' 2>/dev/null && break
	sleep 0.3
done
draw network -- ab -q -n 40 -c 2 http://10.213.0.2:8000/

# a real server: nginx with four workers under ab
PORT=18473
mkdir -p "$WORK/nginx"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 4;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $WORK/nginx/body;
    proxy_temp_path $WORK/nginx/proxy;
    fastcgi_temp_path $WORK/nginx/fastcgi;
    uwsgi_temp_path $WORK/nginx/uwsgi;
    scgi_temp_path $WORK/nginx/scgi;
    server { listen 127.0.0.1:$PORT; location / { root $WORK/www; } }
}
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!
sleep 1
PIDS=$(echo "$NGINX_PID" $(ps -o pid= --ppid "$NGINX_PID") | tr -s ' ' ',')
draw nginx -p "$PIDS" -d 20 -- ab -q -n 400 -c 8 "http://127.0.0.1:$PORT/"
