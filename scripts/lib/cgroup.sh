# Shell helpers shared by scripts, tests and benchmarks.

# The cgroup v2 mount point (/sys/fs/cgroup on most hosts, /sys/fs/cgroup/unified on hybrid ones):
# in /proc/self/mountinfo the field after " - " is the fstype; optional fields vary in number.
cgroup2_root() {
  awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
    /proc/self/mountinfo | head -n 1
}
