#include <gtest/gtest.h>

#include <map>

#include "kernel/features.hpp"

namespace faultline::kernel {
namespace {

class FakeProbe : public FeatureProbe {
public:
  explicit FakeProbe(std::map<Feature, bool> answers, int* calls)
      : answers_(std::move(answers)), calls_(calls) {}
  FeatureStatus probe(Feature f) override {
    ++*calls_;
    const bool yes = answers_.count(f) && answers_.at(f);
    return {yes, std::string(feature_name(f)) + (yes ? " ok" : " missing")};
  }

private:
  std::map<Feature, bool> answers_;
  int* calls_;
};

TEST(Features, ProbesEachFeatureOnce) {
  int calls = 0;
  Features features(std::make_unique<FakeProbe>(std::map<Feature, bool>{{Feature::lsm, true}}, &calls));
  EXPECT_TRUE(features.supported(Feature::lsm));
  EXPECT_TRUE(features.supported(Feature::lsm));
  EXPECT_FALSE(features.supported(Feature::tc));
  EXPECT_EQ(calls, 2);
}

TEST(Features, FileBackendPrefersLsm) {
  int calls = 0;
  Features features(std::make_unique<FakeProbe>(
      std::map<Feature, bool>{{Feature::lsm, true}, {Feature::fmod_ret_security, true}}, &calls));
  EXPECT_EQ(choose_file_backend(features).backend, FileBackend::lsm);
}

TEST(Features, FileBackendFallsBackToFmodRet) {
  int calls = 0;
  Features features(
      std::make_unique<FakeProbe>(std::map<Feature, bool>{{Feature::fmod_ret_security, true}}, &calls));
  EXPECT_EQ(choose_file_backend(features).backend, FileBackend::fmod_ret);
}

TEST(Features, NoFileBackendSaysWhyForBoth) {
  int calls = 0;
  Features features(std::make_unique<FakeProbe>(std::map<Feature, bool>{}, &calls));
  const auto choice = choose_file_backend(features);
  EXPECT_EQ(choice.backend, FileBackend::none);
  EXPECT_NE(choice.reason.find("lsm missing"), std::string::npos);
  EXPECT_NE(choice.reason.find("fmod_ret_security missing"), std::string::npos);
}

TEST(Features, NamesRoundTrip) {
  for (Feature f : kAllFeatures)
    EXPECT_EQ(feature_from_name(feature_name(f)), f);
  EXPECT_FALSE(feature_from_name("nonsense"));
}

} // namespace
} // namespace faultline::kernel
