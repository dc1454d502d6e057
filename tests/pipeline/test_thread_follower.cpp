#include <torch/torch.h>

#include <deque>

#include "aebench/pipeline/thread_follower.h"
#include "support/catch.h"

using aebench::ThreadFollower;
using aebench::threads_beside_others;

TEST_CASE("threads_beside_others leaves the cores other processes keep busy") {
  // 2 cores, 2 chosen, running on 2: a core is taken from half its time on.
  CHECK(threads_beside_others(2, 2, 0.0, 2) == 2);
  CHECK(threads_beside_others(2, 2, 0.45, 2) == 2);
  CHECK(threads_beside_others(2, 2, 0.55, 2) == 1);
  CHECK(threads_beside_others(2, 2, 1.9, 2) == 1);  // never below one thread
  // Running on 1 of 2: the core comes back only below a quarter.
  CHECK(threads_beside_others(2, 2, 0.45, 1) == 1);
  CHECK(threads_beside_others(2, 2, 0.3, 1) == 1);
  CHECK(threads_beside_others(2, 2, 0.2, 1) == 2);
  // Never more than chosen, whatever is free.
  CHECK(threads_beside_others(4, 8, 0.0, 4) == 4);
  CHECK(threads_beside_others(8, 8, 2.6, 8) == 5);
  CHECK(threads_beside_others(8, 8, 2.6, 5) == 5);
  CHECK(threads_beside_others(8, 8, 1.7, 5) == 6);
  // Below the chosen count too, each direction has its own threshold.
  CHECK(threads_beside_others(8, 8, 3.3, 5) == 5);
  CHECK(threads_beside_others(8, 8, 3.6, 5) == 4);
  CHECK(threads_beside_others(8, 8, 3.3, 4) == 4);
  CHECK(threads_beside_others(8, 8, 3.7, 4) == 4);
}

TEST_CASE("ThreadFollower gives a thread back while others are busy and takes it back after") {
  const int before = torch::get_num_threads();
  std::deque<std::optional<double>> loads{0.9, 0.4, std::nullopt, 0.1, 0.0};
  ThreadFollower follower(2, 2, nlohmann::json::array(), [&loads] {
    const auto load = loads.front();
    loads.pop_front();
    return load;
  });
  CHECK(follower.threads() == 2);

  const auto given_back = follower.after_epoch(3);
  REQUIRE(given_back.has_value());
  CHECK(*given_back ==
        "threads 0: 2 threads -> 1 thread after epoch 3 (other processes kept 0.90 of 2 cores "
        "busy)");
  CHECK(torch::get_num_threads() == 1);
  CHECK_FALSE(follower.after_epoch(4).has_value());  // 0.4: not free enough yet
  CHECK_FALSE(follower.after_epoch(5).has_value());  // no signal: no change
  CHECK(follower.threads() == 1);

  const auto taken_back = follower.after_epoch(6);
  REQUIRE(taken_back.has_value());
  CHECK(taken_back->find("1 thread -> 2 threads after epoch 6") != std::string::npos);
  CHECK(torch::get_num_threads() == 2);
  CHECK_FALSE(follower.after_epoch(7).has_value());

  const nlohmann::json expected = nlohmann::json::parse(R"([
    {"after_epoch": 3, "threads": 1, "others_busy_cores": 0.9},
    {"after_epoch": 6, "threads": 2, "others_busy_cores": 0.1}])");
  CHECK(follower.changes() == expected);
  torch::set_num_threads(before);
}

TEST_CASE("ThreadFollower returns to the chosen count when asked and when it goes") {
  const int before = torch::get_num_threads();
  {
    ThreadFollower follower(2, 2, nlohmann::json::array(),
                            [] { return std::optional<double>(1.0); });
    REQUIRE(follower.after_epoch(1).has_value());
    CHECK(torch::get_num_threads() == 1);
    follower.return_to_chosen();
    CHECK(torch::get_num_threads() == 2);
    CHECK(follower.threads() == 2);
    REQUIRE(follower.after_epoch(2).has_value());
    CHECK(torch::get_num_threads() == 1);
  }
  CHECK(torch::get_num_threads() == 2);
  torch::set_num_threads(before);
}

TEST_CASE("ThreadFollower goes on from an interrupted session's changes") {
  const int before = torch::get_num_threads();
  const auto earlier =
      nlohmann::json::parse(R"([{"after_epoch": 2, "threads": 1, "others_busy_cores": 0.8}])");
  ThreadFollower follower(2, 2, earlier, [] { return std::optional<double>(0.9); });
  CHECK(follower.threads() == 2);  // a resumed session starts from the chosen count
  REQUIRE(follower.after_epoch(5).has_value());
  REQUIRE(follower.changes().size() == 2);
  CHECK(follower.changes()[0] == earlier[0]);
  CHECK(follower.changes()[1].at("after_epoch") == 5);
  // Anything but a list (a hand-edited checkpoint) starts an empty one.
  CHECK(ThreadFollower(2, 2, nlohmann::json("x")).changes() == nlohmann::json::array());
  torch::set_num_threads(before);
}
