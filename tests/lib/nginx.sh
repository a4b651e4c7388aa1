# shellcheck shell=bash
# nginx.sh: Debian's nginx serving a published tree with the README's
# configuration (tools/nginx-static.conf), for the suites of tests/web that
# serve one (test_publish.sh, test_mirror.sh), sourced after
# tests/lib/test.sh and test_begin (with the NEED nginx).
#
#   nginx_serve ROOT    serves ROOT (a path under $TMP; make it a symbolic
#                       link to switch trees) on a free port of 127.0.0.1:
#                       its URL in NG; exits 2 if nginx does not start
#
# nginx started by root runs its worker as nobody: $TMP is made
# searchable by all, and the trees must be readable by all (publish and
# mirror make them so).  test_exit stops nginx with SIGTERM, so that its
# master stops its worker.
NG=
NGINX_PID=
NGINX_CONF=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tools" && pwd)/nginx-static.conf

nginx_start() { # nginx_start ROOT PORT: true when it serves
	local dir=$TMP/ngx
	mkdir -p "$dir"
	sed -e "s#^\tlisten 80;#\tlisten 127.0.0.1:$2;#" \
		-e "s#^\troot /var/www/sanilog;#\troot $1;#" \
		"$NGINX_CONF" >"$dir/site.conf"
	printf '%s\n' \
		"worker_processes 1;" "daemon off;" "pid $dir/nginx.pid;" \
		"error_log $dir/error.log;" \
		"events { worker_connections 256; }" \
		"http {" \
		"	include /etc/nginx/mime.types;" \
		"	default_type application/octet-stream;" \
		"	access_log off;" \
		"	client_body_temp_path $dir/body;" \
		"	proxy_temp_path $dir/proxy;" \
		"	fastcgi_temp_path $dir/fastcgi;" \
		"	uwsgi_temp_path $dir/uwsgi;" \
		"	scgi_temp_path $dir/scgi;" \
		"	include $dir/site.conf;" \
		"}" >"$dir/nginx.conf"
	"$(command -v nginx)" -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" \
		2>>"$dir/start.err" &
	NGINX_PID=$!
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$2/" && return 0
		kill -0 "$NGINX_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$NGINX_PID" 2>/dev/null || true
	wait "$NGINX_PID" 2>/dev/null || true
	return 1
}

nginx_serve() {
	local port
	chmod 711 "$TMP"
	for port in $(awk -v s="$$" 'BEGIN { srand(s); for (i = 0; i < 20; i++) print 20000 + int(rand() * 40000) }'); do
		if nginx_start "$1" "$port"; then
			NG=http://127.0.0.1:$port
			# shellcheck disable=SC2016 # expanded by test_exit
			TEST_AT_EXIT='kill -TERM "$NGINX_PID"; wait "$NGINX_PID"'
			return 0
		fi
	done
	test_cannot "nginx did not start: $(cat "$TMP/ngx/start.err" "$TMP/ngx/error.log" 2>/dev/null | head -5)"
}
