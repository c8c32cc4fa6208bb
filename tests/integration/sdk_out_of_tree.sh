#!/usr/bin/env bash
# The SDK installs (headers, CMake package, pkg-config); both examples build
# out of tree against the installed copy and run in vigild.
source "$VIGIL_SOURCE/tests/lib/vigil.sh"
vt_init sdk_out_of_tree

prefix=$VT_DIR/sdk
cmake --install "$VIGIL_BUILD" --prefix "$prefix" --component sdk >"$VT_DIR/install.log" 2>&1 ||
  vt_fail "cmake --install: $(tail -5 "$VT_DIR/install.log")"
[[ -f $prefix/include/vigil/plugin.h && -f $prefix/include/vigil/sdk.hpp ]] || vt_fail "headers not installed"
pc=$(PKG_CONFIG_PATH=$prefix/share/pkgconfig pkg-config --cflags vigil-sdk | xargs) || vt_fail "pkg-config vigil-sdk"
[[ $(realpath "${pc#-I}") == "$prefix/include" ]] || vt_fail "pkg-config cflags: $pc"

for ex in hello_cpp hello_c; do
  cp -r "$VIGIL_SOURCE/sdk/examples/$ex" "$VT_DIR/src-$ex"
  { cmake -S "$VT_DIR/src-$ex" -B "$VT_DIR/out-$ex" -DCMAKE_PREFIX_PATH="$prefix" &&
    cmake --build "$VT_DIR/out-$ex"; } >"$VT_DIR/$ex.log" 2>&1 || vt_fail "$ex out-of-tree build: $(tail -20 "$VT_DIR/$ex.log")"
  [[ -f $VT_DIR/out-$ex/$ex.so ]] || vt_fail "$ex.so not built"
done
# The plain C example really is C: no C++ runtime in it.
ldd "$VT_DIR/out-hello_c/hello_c.so" | grep -q libstdc++ && vt_fail "hello_c links the C++ runtime"

cat >"$VT_DIR/vigil.yaml" <<CONFIG
agent:
  plugin_dir: [$VT_DIR/out-hello_cpp, $VT_DIR/out-hello_c]
  state_dir: $VT_DIR/state
  control_socket: $VT_DIR/vigild.sock
plugins:
  hello_cpp: {enabled: true, greeting: bonjour}
  hello_c: {enabled: true}
CONFIG
vt_start_daemon "$VT_DIR/vigil.yaml"
[[ $(vctl hello_cpp greet) == *'"greeting": "bonjour"'* ]] || vt_fail "hello_cpp greet: $(vctl hello_cpp greet 2>&1)"
[[ $(vctl call hello_c.echo '{"k":"v"}') == *'"k": "v"'* ]] || vt_fail "hello_c echo"
vctl --json plugins | grep -q '"name":"hello_c","state":"running"' || vt_fail "hello_c not running"
vt_pass
