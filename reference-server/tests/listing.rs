//! Listing the catalogue: filters, sorts, pagination and stable ties, on both engines.

mod common;

use chrono::{Duration, Utc};
use common::{Seed, TestServer, engines};
use serde_json::{Value, json};

fn ids(res: &Value) -> Vec<String> {
    res["animations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

fn titles(res: &Value) -> Vec<String> {
    res["animations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_sorts_and_pages() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (_, alice) = s.register("alice").await;
        let (_, bob) = s.register("bob").await;
        let base = Utc::now() - Duration::days(10);
        let specs = [
            (
                "Pythagorean Theorem",
                "Visual proof using squares",
                vec!["math", "geometry"],
                "math",
                "MIT",
                0,
                8.5,
                0,
            ),
            (
                "Physics Engine",
                "Realistic physics simulation",
                vec!["physics"],
                "science",
                "CC-BY",
                999,
                12.0,
                1,
            ),
            (
                "Cell Division",
                "Biology 100% animated",
                vec!["biology"],
                "science",
                "MIT",
                0,
                4.0,
                2,
            ),
            (
                "apple falling",
                "Newton and gravity",
                vec!["physics", "gravity"],
                "education",
                "CC0",
                150,
                3.0,
                3,
            ),
            (
                "Zeta Function",
                "Complex analysis",
                vec!["math"],
                "math",
                "proprietary",
                2500,
                20.0,
                4,
            ),
        ];
        let mut made = vec![];
        for (i, (title, desc, tags, cat, lic, price, dur, day)) in specs.into_iter().enumerate() {
            let seed = Seed {
                title: title.into(),
                description: desc.into(),
                tags: tags.into_iter().map(String::from).collect(),
                category: cat,
                license: lic,
                price_cents: price,
                duration: dur,
                created_at: Some(base + Duration::days(day)),
                source_code: None,
            };
            made.push(
                s.seed_animation(if i % 2 == 0 { &alice } else { &bob }, seed)
                    .await,
            );
        }

        let all = s.get("/animations", None).await;
        let data = all.assert_ok(200);
        assert_eq!(
            data["pagination"],
            json!({"page": 1, "per_page": 20, "total": 5, "pages": 1})
        );
        assert_eq!(titles(data)[0], "Zeta Function", "newest first by default");
        let item = &data["animations"][0];
        for key in [
            "id",
            "title",
            "description",
            "thumbnail_url",
            "creator",
            "stats",
            "duration",
            "resolution",
            "license",
            "price",
            "tags",
            "category",
            "created_at",
        ] {
            assert!(item.get(key).is_some(), "item has {key}: {item}");
        }
        assert_eq!(item["resolution"], "1080p");
        assert_eq!(item["price"], 25.0);

        let q = |query: &str| {
            let path = format!("/animations?{query}");
            let s = &s;
            async move { s.get(&path, None).await }
        };
        assert_eq!(
            titles(q("category=science&sort=title&order=asc").await.data()),
            ["Cell Division", "Physics Engine"]
        );
        assert_eq!(
            titles(q("license=MIT&order=asc").await.data()),
            ["Pythagorean Theorem", "Cell Division"]
        );
        assert_eq!(q("free=true").await.data()["pagination"]["total"], 2);
        assert_eq!(q("free=false").await.data()["pagination"]["total"], 3);
        assert_eq!(
            titles(q("search=physics&sort=title&order=asc").await.data()),
            ["apple falling", "Physics Engine"]
        );
        assert_eq!(
            titles(q("search=PROOF%20squares").await.data()),
            ["Pythagorean Theorem"]
        );
        assert_eq!(
            titles(q("search=100%25").await.data()),
            ["Cell Division"],
            "% is literal"
        );
        assert_eq!(
            q("search=nothing-matches").await.data()["pagination"]["total"],
            0
        );
        assert_eq!(
            titles(q("sort=title&order=asc").await.data())[0],
            "apple falling",
            "case-insensitive"
        );
        assert_eq!(
            titles(q("sort=price&order=desc").await.data())[0],
            "Zeta Function"
        );
        assert_eq!(
            titles(q("sort=duration&order=asc").await.data())[0],
            "apple falling"
        );
        assert_eq!(
            titles(q("sort=created_at&order=asc&category=math").await.data()),
            ["Pythagorean Theorem", "Zeta Function"]
        );

        let p1 = q("per_page=2&page=1&order=asc").await;
        assert_eq!(
            p1.data()["pagination"],
            json!({"page": 1, "per_page": 2, "total": 5, "pages": 3})
        );
        let p3 = q("per_page=2&page=3&order=asc").await;
        assert_eq!(ids(p3.data()), [made[4].clone()]);
        assert!(ids(q("per_page=2&page=4").await.data()).is_empty());

        // User listings have the same shape, only that user's animations.
        let mine = s
            .get(
                &format!("/users/{alice}/animations?sort=title&order=asc"),
                None,
            )
            .await;
        assert_eq!(
            titles(mine.data()),
            ["Cell Division", "Pythagorean Theorem", "Zeta Function"]
        );
        s.get("/users/user_missing/animations", None)
            .await
            .assert_error(404, "NOT_FOUND");

        for (query, field) in [
            ("page=0", "page"),
            ("per_page=0", "per_page"),
            ("per_page=101", "per_page"),
            ("page=abc", "page"),
            ("sort=bogus", "sort"),
            ("order=sideways", "order"),
            ("free=maybe", "free"),
            ("category=cooking", "category"),
            ("license=GPL", "license"),
        ] {
            let res = q(query).await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(res.field(), field, "for {query}");
        }
        let long = format!("search={}", "a".repeat(201));
        assert_eq!(q(&long).await.field(), "search");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ties_are_broken_by_id_so_pages_are_stable() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (_, owner) = s.register("tied").await;
        let at = Utc::now() - Duration::days(1);
        let mut made = vec![];
        for i in 0..7 {
            let mut seed = Seed::titled(&format!("Same {i}"));
            seed.created_at = Some(at);
            made.push(s.seed_animation(&owner, seed).await);
        }
        for order in ["asc", "desc"] {
            let mut seen = vec![];
            for page in 1..=4 {
                let res = s
                    .get(
                        &format!(
                            "/animations?sort=created_at&order={order}&per_page=2&page={page}"
                        ),
                        None,
                    )
                    .await;
                seen.extend(ids(res.data()));
            }
            let mut expected = made.clone();
            expected.sort();
            if order == "desc" {
                expected.reverse();
            }
            assert_eq!(seen, expected, "order {order}");
        }
        // Likes tie at 0 too.
        let res = s
            .get("/animations?sort=likes&order=asc&per_page=100", None)
            .await;
        let mut expected = made.clone();
        expected.sort();
        assert_eq!(ids(res.data()), expected);
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_catalogue_total_follows_inserts_status_changes_and_deletes() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (token, owner) = s.register("counted").await;

        let a = s.seed_animation(&owner, Seed::titled("One")).await;
        s.seed_animation(&owner, Seed::titled("Two")).await;
        assert_eq!(total(&s).await, 2);
        let res = s
            .upload(
                Some(&token),
                Some(common::fake_mp4(2048)),
                Some(common::metadata("pending")),
            )
            .await;
        let id = res.assert_ok(202)["animation"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        s.wait_status(&id, &token, "failed").await;
        assert_eq!(
            total(&s).await,
            2,
            "processing and failed uploads are not counted"
        );
        s.delete(&format!("/animations/{a}"), Some(&token))
            .await
            .assert_ok(200);
        assert_eq!(total(&s).await, 1);
        assert_eq!(
            s.get("/animations?category=math", None).await.data()["pagination"]["total"],
            1
        );
        s.stop().await;
    }
}

async fn total(s: &TestServer) -> u64 {
    s.get("/animations", None).await.data()["pagination"]["total"]
        .as_u64()
        .unwrap()
}
