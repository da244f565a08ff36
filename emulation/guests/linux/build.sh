#!/usr/bin/env bash
# Builds javisor's Linux guest: Debian's linux-source-6.1 configured with tinyconfig + javisor.config,
# with init.c (this directory) as the whole built-in initramfs. Prints the raw kernel Image's path as
# the last line of stdout; progress goes to stderr.
#
#   emulation/guests/linux/build.sh            build, or take the cached kernel
#
# Cache: ${JAVISOR_CACHE:-~/.cache/javisor}/linux-<key>, the key hashing the fragment, the source
# package's version, the cross compiler's version and $recipe, so any of them changing starts a
# clean tree. init.c is not in the key: a changed init only rebuilds the initramfs and relinks.
# Concurrent callers wait on a lock in the cache directory.
#
# Exit 0 built; 2 something it needs is not installed (one line naming the Debian packages; the
# tests skip on it); anything else a failed build (make's output is on stderr).
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
tarball=/usr/src/linux-source-6.1.tar.xz
cross=riscv64-linux-gnu-

missing=()
[ -f "$tarball" ] || missing+=(linux-source-6.1)
command -v "${cross}gcc" >/dev/null 2>&1 || missing+=(gcc-riscv64-linux-gnu)
for tool in make gcc flex bison bc xz; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "linux build: not installed: ${missing[*]} (apt-get install linux-source-6.1 gcc-riscv64-linux-gnu flex bison bc xz-utils)" >&2
  exit 2
fi

# Bump when a change below would build a different kernel from the same fragment and source.
recipe=1
version=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || stat -c '%s %Y' "$tarball")
key=$( { cat "$here/javisor.config"; echo "$version recipe $recipe"; "${cross}gcc" --version | head -1; } |
  sha256sum | cut -c1-16)
cache=${JAVISOR_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/javisor}
dir=$cache/linux-$key
mkdir -p "$dir"
exec 9>"$dir/lock"
flock 9

src=$dir/linux-source-6.1
out=$dir/build
kmake=(make -s -C "$src" O="$out" ARCH=riscv CROSS_COMPILE="$cross" KBUILD_BUILD_USER=javisor
  KBUILD_BUILD_HOST=javisor KBUILD_BUILD_TIMESTAMP=2025-01-01)
start=$(date +%s)

if [ ! -f "$dir/extracted" ]; then
  echo "linux build: extracting $tarball ($version) into $dir" >&2
  rm -rf "$src" "$out"
  tar -C "$dir" -xJf "$tarball"
  touch "$dir/extracted"
fi

# The init: freestanding, raw system calls, no libc.
"${cross}gcc" -march=rv64imac -mabi=lp64 -mcmodel=medany -Os -Wall -Wextra -Werror -ffreestanding \
  -fno-pie -no-pie -static -nostdlib -fno-stack-protector -fno-asynchronous-unwind-tables \
  -Wl,--build-id=none -Wl,--no-warn-rwx-segments -o "$dir/init.new" "$here/init.c" -lgcc
if cmp -s "$dir/init.new" "$dir/init"; then rm "$dir/init.new"; else mv "$dir/init.new" "$dir/init"; fi
cat > "$dir/initramfs.list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /sys 0755 0 0
dir /proc 0755 0 0
file /init $dir/init 0755 0 0
EOF

if [ ! -f "$out/.config" ]; then
  echo "linux build: configuring (tinyconfig + javisor.config)" >&2
  mkdir -p "$out"
  "${kmake[@]}" tinyconfig >&2
  echo "CONFIG_INITRAMFS_SOURCE=\"$dir/initramfs.list\"" > "$dir/initramfs.config"
  (cd "$out" && "$src/scripts/kconfig/merge_config.sh" -m -O "$out" .config "$here/javisor.config" \
    "$dir/initramfs.config" >/dev/null)
  "${kmake[@]}" olddefconfig >&2
  # Every line of the fragment must have survived: a dependency Kconfig did not meet drops it silently.
  lost=()
  while IFS= read -r line; do
    case "$line" in
      CONFIG_*=*) grep -qxF "$line" "$out/.config" || lost+=("$line") ;;
      "# CONFIG_"*" is not set") name=${line#"# "}; name=${name%" is not set"}
        ! grep -q "^$name=" "$out/.config" || lost+=("$line") ;;
    esac
  done < "$here/javisor.config"
  if [ ${#lost[@]} -gt 0 ]; then
    rm -f "$out/.config"
    echo "linux build: Kconfig did not keep: ${lost[*]}" >&2
    exit 1
  fi
fi

image=$out/arch/riscv/boot/Image
stamp=$(sha256sum "$dir/init" "$dir/initramfs.list" | sha256sum | cut -c1-16)
if [ -f "$image" ] && [ "$(cat "$dir/built" 2>/dev/null)" = "$stamp" ]; then
  echo "linux build: cached $image" >&2
else
  echo "linux build: make Image in $out" >&2
  rm -f "$dir/built"
  "${kmake[@]}" -j"$(nproc)" Image >&2
  echo "$stamp" > "$dir/built"
  echo "linux build: built in $(( $(date +%s) - start )) s" >&2
fi
echo "$image"
