#include "kernel/event_reader.hpp"

#include <cerrno>
#include <cstring>

#include "util/log.hpp"

namespace faultline::kernel {

int EventReader::on_record(void* ctx, void* data, std::size_t size) {
  auto* self = static_cast<EventReader*>(ctx);
  if (size < sizeof(fl_event)) {
    self->bad_.fetch_add(1);
    return 0;
  }
  fl_event e{};
  std::memcpy(&e, data, sizeof(e)); // the ring's memory is only 8-byte aligned and is reused
  self->read_.fetch_add(1);
  self->sink_(e);
  return 0;
}

Result<std::unique_ptr<EventReader>> EventReader::start(int map_fd, Sink sink) {
  std::unique_ptr<EventReader> reader(new EventReader(std::move(sink)));
  reader->rb_.reset(ring_buffer__new(map_fd, &EventReader::on_record, reader.get(), nullptr));
  if (!reader->rb_) return make_error(errno, "cannot read the events ring buffer (map fd {})", map_fd);
  EventReader* self = reader.get();
  reader->thread_ = std::thread([self] {
    // A bounded wait, so stop_ is noticed within 100 ms without a wake-up fd.
    while (!self->stop_.load()) {
      const int n = ring_buffer__poll(self->rb_.get(), 100);
      if (n < 0 && n != -EINTR) {
        log::warn("events ring buffer: poll failed: {}", std::strerror(-n));
        return;
      }
    }
    (void)ring_buffer__consume(self->rb_.get());
  });
  return reader;
}

EventReader::~EventReader() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

} // namespace faultline::kernel
