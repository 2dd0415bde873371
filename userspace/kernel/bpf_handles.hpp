// Move-only owners for libbpf objects. A link's fd is the attachment: when the owner (and so
// the daemon) dies, the kernel detaches the program. Nothing here is pinned.
#pragma once

#include <bpf/libbpf.h>

#include <memory>

namespace faultline::kernel {

struct LinkDeleter {
  void operator()(bpf_link* link) const { bpf_link__destroy(link); }
};
using Link = std::unique_ptr<bpf_link, LinkDeleter>;

struct RingBufferDeleter {
  void operator()(ring_buffer* rb) const { ring_buffer__free(rb); }
};
using RingBuffer = std::unique_ptr<ring_buffer, RingBufferDeleter>;

struct BpfObjectDeleter {
  void operator()(bpf_object* obj) const { bpf_object__close(obj); }
};
using BpfObject = std::unique_ptr<bpf_object, BpfObjectDeleter>;

// Skeletons come with generated NAME__destroy functions; Skeleton<faultline_bpf,
// faultline_bpf__destroy> owns one.
template <typename Skel, void (*Destroy)(Skel*)> struct SkeletonDeleter {
  void operator()(Skel* skel) const { Destroy(skel); }
};
template <typename Skel, void (*Destroy)(Skel*)>
using Skeleton = std::unique_ptr<Skel, SkeletonDeleter<Skel, Destroy>>;

} // namespace faultline::kernel
