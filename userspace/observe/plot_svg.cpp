#include "observe/plot_svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace faultline::observe {
namespace {

constexpr double kWidth = 900;
constexpr double kHeight = 420;
constexpr double kLeft = 80;   // room for the left axis labels
constexpr double kRight = 80;  // and the right one
constexpr double kTop = 56;    // title and legend
constexpr double kBottom = 48; // time axis
constexpr std::array<const char*, 6> kColors = {"#1f77b4", "#ff7f0e", "#2ca02c",
                                                "#9467bd", "#8c564b", "#17becf"};

std::string xml_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    case '\'': out += "&apos;"; break;
    default:
      // Control characters are not allowed in XML 1.0 text.
      if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') out += c;
    }
  }
  return out;
}

// At most `max` characters (the full text is in the report), cut on a character boundary.
std::string shortened(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
    --cut; // not inside a UTF-8 sequence
  return s.substr(0, cut) + "...";
}

// A round number at or above v for an axis' top: 1, 2 or 5 times a power of ten.
double nice_ceiling(double v) {
  if (v <= 0) return 1;
  const double p = std::pow(10.0, std::floor(std::log10(v)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= v) return m * p;
  return 10 * p;
}

struct Frame {
  std::int64_t t0 = 0; // ms
  std::int64_t t1 = 1;
  double y_max = 1;  // left axis: injections
  double ms_max = 1; // right axis: check time, ms
  double x(std::int64_t t) const {
    return kLeft + (kWidth - kLeft - kRight) * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
  }
  double y(double v) const { return kHeight - kBottom - (kHeight - kTop - kBottom) * v / y_max; }
  double y_ms(double ms) const { return kHeight - kBottom - (kHeight - kTop - kBottom) * ms / ms_max; }
};

Frame frame_of(const ExperimentReport& r) {
  const auto& v = r.view;
  Frame f;
  f.t0 = v.started_at_ms;
  f.t1 = v.ended_at_ms != 0 ? v.ended_at_ms : v.started_at_ms + static_cast<std::int64_t>(v.duration_ms);
  for (const auto& s : r.timeline.samples())
    f.t1 = std::max(f.t1, s.t_ms);
  for (const auto& c : r.timeline.checks())
    f.t1 = std::max(f.t1, c.t_ms);
  if (f.t1 <= f.t0) f.t1 = f.t0 + 1;
  double top = 0;
  for (const auto& s : r.timeline.samples())
    for (auto n : s.injected)
      top = std::max(top, static_cast<double>(n));
  for (const auto& fault : v.faults)
    top = std::max(top, static_cast<double>(fault.injected));
  f.y_max = nice_ceiling(top);
  double slowest = 0;
  for (const auto& c : r.timeline.checks())
    slowest = std::max(slowest, static_cast<double>(c.took_us) / 1000.0);
  f.ms_max = nice_ceiling(slowest);
  return f;
}

void axes(std::string& out, const Frame& f, bool with_checks) {
  const double x0 = kLeft;
  const double x1 = kWidth - kRight;
  const double yb = kHeight - kBottom;
  out += fmt::format(R"svg(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#333"/>)svg"
                     "\n",
                     x0, yb, x1, yb);
  out += fmt::format(R"svg(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="#333"/>)svg"
                     "\n",
                     x0, kTop, x0, yb);
  const double span_s = static_cast<double>(f.t1 - f.t0) / 1000.0;
  for (int i = 0; i <= 5; ++i) {
    const double frac = i / 5.0;
    const double x = x0 + (x1 - x0) * frac;
    out +=
        fmt::format(R"svg(<text x="{:.1f}" y="{:.1f}" font-size="11" text-anchor="middle">{:.1f}s</text>)svg"
                    "\n",
                    x, yb + 16, span_s * frac);
    const double y = yb - (yb - kTop) * frac;
    out += fmt::format(R"svg(<text x="{:.1f}" y="{:.1f}" font-size="11" text-anchor="end">{:.0f}</text>)svg"
                       "\n",
                       x0 - 6, y + 4, f.y_max * frac);
    if (with_checks)
      out += fmt::format(R"svg(<text x="{:.1f}" y="{:.1f}" font-size="11">{:.1f} ms</text>)svg"
                         "\n",
                         x1 + 6, y + 4, f.ms_max * frac);
  }
  out += fmt::format(
      R"svg(<text x="{:.1f}" y="{:.1f}" font-size="12" text-anchor="middle">time since start</text>)svg"
      "\n",
      (x0 + x1) / 2, kHeight - 10);
  out += fmt::format(R"svg(<text x="16" y="{:.1f}" font-size="12" transform="rotate(-90 16 {:.1f})" )svg"
                     R"svg(text-anchor="middle">injected (cumulative)</text>)svg"
                     "\n",
                     (kTop + yb) / 2, (kTop + yb) / 2);
  if (with_checks)
    out += fmt::format(
        R"svg(<text x="{:.1f}" y="{:.1f}" font-size="12" transform="rotate(90 {:.1f} {:.1f})" )svg"
        R"svg(text-anchor="middle">stop-condition check time</text>)svg"
        "\n",
        kWidth - 12, (kTop + yb) / 2, kWidth - 12, (kTop + yb) / 2);
}

} // namespace

std::string plot_svg(const ExperimentReport& r) {
  const auto& v = r.view;
  const Frame f = frame_of(r);
  std::string out;
  out += fmt::format(R"svg(<?xml version="1.0" encoding="UTF-8"?>)svg"
                     "\n"
                     R"svg(<svg xmlns="http://www.w3.org/2000/svg" width="{:.0f}" height="{:.0f}" )svg"
                     R"svg(viewBox="0 0 {:.0f} {:.0f}" font-family="sans-serif">)svg"
                     "\n",
                     kWidth, kHeight, kWidth, kHeight);
  out += fmt::format("<title>faultline experiment {}</title>\n", xml_escape(v.name));
  out += R"svg(<rect width="100%" height="100%" fill="white"/>)svg"
         "\n";
  // The injection window: from the start to the end (or the deadline, while it runs).
  const std::int64_t end =
      v.ended_at_ms != 0 ? v.ended_at_ms : v.started_at_ms + static_cast<std::int64_t>(v.duration_ms);
  out += fmt::format(R"svg(<rect x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}" fill="#fbe3c8" )svg"
                     R"svg(fill-opacity="0.6"><title>injection window</title></rect>)svg"
                     "\n",
                     f.x(v.started_at_ms), kTop, std::max(1.0, f.x(end) - f.x(v.started_at_ms)),
                     kHeight - kTop - kBottom);
  axes(out, f, !r.timeline.checks().empty());
  // One line per fault: its cumulative injections at each sample (from 0 at the start).
  for (std::size_t i = 0; i < v.faults.size(); ++i) {
    std::string points = fmt::format("{:.1f},{:.1f}", f.x(v.started_at_ms), f.y(0));
    for (const auto& s : r.timeline.samples())
      if (i < s.injected.size())
        points += fmt::format(" {:.1f},{:.1f}", f.x(s.t_ms), f.y(static_cast<double>(s.injected[i])));
    if (v.ended_at_ms != 0)
      points +=
          fmt::format(" {:.1f},{:.1f}", f.x(v.ended_at_ms), f.y(static_cast<double>(v.faults[i].injected)));
    out +=
        fmt::format(R"svg(<polyline fill="none" stroke="{}" stroke-width="2" points="{}"><title>{}: {} )svg"
                    R"svg(injected</title></polyline>)svg"
                    "\n",
                    kColors[i % kColors.size()], points, xml_escape(v.faults[i].name), v.faults[i].injected);
  }
  // Each recorded check: its time taken; failed ones red and larger. Counter checks take no
  // time: only their failures are drawn.
  for (const auto& c : r.timeline.checks())
    if (!c.healthy || c.took_us > 0)
      out += fmt::format(
          R"svg(<circle cx="{:.1f}" cy="{:.1f}" r="{}" fill="{}"><title>{}: {} in {:.1f} ms</title>)svg"
          R"svg(</circle>)svg"
          "\n",
          f.x(c.t_ms), f.y_ms(static_cast<double>(c.took_us) / 1000.0), c.healthy ? 2 : 4,
          c.healthy ? "#2ca02c" : "#d62728", xml_escape(c.condition), c.healthy ? "healthy" : "FAILED",
          static_cast<double>(c.took_us) / 1000.0);
  // Title and legend.
  out += fmt::format(
      R"svg(<text x="{:.1f}" y="20" font-size="15" font-weight="bold">faultline experiment {}</text>)svg"
      "\n",
      kLeft, xml_escape(v.name));
  out += fmt::format(R"svg(<text x="{:.1f}" y="38" font-size="12">{}</text>)svg"
                     "\n",
                     kLeft, xml_escape(shortened(verdict(v), 140)));
  double lx = kLeft;
  for (std::size_t i = 0; i < v.faults.size(); ++i) {
    out += fmt::format(R"svg(<rect x="{:.1f}" y="44" width="10" height="4" fill="{}"/>)svg"
                       R"svg(<text x="{:.1f}" y="50" font-size="11">{}</text>)svg"
                       "\n",
                       lx, kColors[i % kColors.size()], lx + 14, xml_escape(v.faults[i].name));
    lx += 24 + 7.0 * static_cast<double>(v.faults[i].name.size());
  }
  if (!r.timeline.checks().empty())
    out += fmt::format(
        R"svg(<circle cx="{:.1f}" cy="46" r="3" fill="#2ca02c"/><text x="{:.1f}" y="50" )svg"
        R"svg(font-size="11">check healthy</text><circle cx="{:.1f}" cy="46" r="4" fill="#d62728"/>)svg"
        R"svg(<text x="{:.1f}" y="50" font-size="11">check failed</text>)svg"
        "\n",
        lx, lx + 8, lx + 100, lx + 108);
  out += "</svg>\n";
  return out;
}

} // namespace faultline::observe
