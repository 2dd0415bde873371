// Errors as values: a Result<T> holds either a T or an Error that keeps the errno and a message
// with context. Exceptions are reserved for fatal conditions, caught in main().
#pragma once

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace faultline {

struct Error {
  int code = 0; // positive errno, or 0 when the failure has none (bad input)
  std::string message;

  std::string describe() const;
};

// Builds an Error from a message format and an errno-style code (negative codes are accepted, as
// libbpf returns them).
template <typename... Args> Error make_error(int code, fmt::format_string<Args...> format, Args&&... args) {
  return Error{code < 0 ? -code : code, fmt::format(format, std::forward<Args>(args)...)};
}

template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : state_(std::move(value)) {}     // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {} // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const T& value() const& { return std::get<T>(state_); }
  T* operator->() { return &value(); }
  T& operator*() { return value(); }
  const Error& error() const { return std::get<Error>(state_); }

private:
  std::variant<T, Error> state_;
};

template <> class [[nodiscard]] Result<void> {
public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {} // NOLINT(google-explicit-constructor)

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return error_; }

private:
  Error error_;
  bool failed_ = false;
};

using Status = Result<void>;

} // namespace faultline
