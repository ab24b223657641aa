//! Search and autocomplete on both engines, over a seeded corpus.

mod common;
mod marketplace_support;

use common::{TestServer, engines};
use marketplace_support::{Item, seed};
use serde_json::{Value, json};

fn titles(data: &Value) -> Vec<String> {
    data["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn corpus(server: &TestServer) -> String {
    let (_, owner) = server.register("corpusowner").await;
    let store = &server.state.store;
    let mut items = vec![
        Item::new(
            "Simulation of Physics",
            "A physics simulation with many bodies",
        ),
        Item::new("Physics Simulation", "Realistic physics engine in action"),
        Item::new("Physics Engine", "Rigid bodies and <collisions> & more"),
        Item::new("Rotating Cube", "A cube rotating in space, no physics here"),
        Item::new("Pythagorean Proof", "Visual proof with squares"),
    ];
    items[0].category = "science";
    items[0].license = "CC-BY";
    items[0].duration = 30.0;
    items[1].category = "science";
    items[1].price_cents = 999;
    items[2].category = "education";
    items[2].tags = &["physics", "mechanics"];
    items[3].tags = &["geometry"];
    let mut hidden = Item::new("Physics Simulation Draft", "physics simulation");
    hidden.status = "processing";
    items.push(hidden);
    for item in &items {
        seed(store, &owner, item, None).await;
    }
    owner
}

#[tokio::test]
async fn ranking_highlights_facets_filters_and_pages() {
    for engine in engines().await {
        let server = TestServer::start(engine).await;
        corpus(&server).await;

        // The exact title ranks first with score 1; scores fall; only ready animations.
        let data = server
            .get("/search?q=physics%20simulation", None)
            .await
            .assert_ok(200)
            .clone();
        let t = titles(&data);
        assert_eq!(t[0], "Physics Simulation", "{data}");
        assert!(!t.iter().any(|x| x.contains("Draft")));
        assert_eq!(data["results"][0]["score"], json!(1.0));
        let scores: Vec<f64> = data["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["score"].as_f64().unwrap())
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]) && scores.iter().all(|s| *s > 0.0 && *s <= 1.0),
            "{scores:?}"
        );
        assert_eq!(
            data["results"][0]["highlights"]["title"],
            json!("<em>Physics</em> <em>Simulation</em>")
        );
        assert_eq!(
            data["results"][0]["highlights"]["description"],
            json!("Realistic <em>physics</em> engine in action")
        );
        assert_eq!(data["pagination"]["total"], json!(2));
        assert_eq!(data["facets"]["categories"], json!({"science": 2}));
        assert_eq!(data["facets"]["licenses"], json!({"CC-BY": 1, "MIT": 1}));

        // Highlights escape the text before marking it.
        let data = server
            .get("/search?q=collisions", None)
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(
            data["results"][0]["highlights"]["description"],
            json!("Rigid bodies and &lt;<em>collisions</em>&gt; &amp; more"),
            "{engine:?} {data}"
        );

        // Facets count the whole result, not the page; filters narrow it.
        let data = server
            .get("/search?q=physics&per_page=1", None)
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(
            data["pagination"],
            json!({"page": 1, "per_page": 1, "total": 4, "pages": 4})
        );
        assert_eq!(
            data["facets"]["categories"],
            json!({"science": 2, "education": 1, "math": 1})
        );
        let page2 = server
            .get("/search?q=physics&per_page=1&page=2", None)
            .await
            .assert_ok(200)
            .clone();
        assert_ne!(titles(&page2), titles(&data));
        for (query, expected) in [
            ("q=physics&category=science", 2),
            ("q=physics&license=CC-BY", 1),
            ("q=physics&free=false", 1),
            ("q=physics&free=true", 3),
            ("q=physics&min_duration=20", 1),
            ("q=physics&max_duration=20", 3),
            ("q=", 5),
            ("", 5),
            ("q=geometry", 1),
        ] {
            let data = server
                .get(&format!("/search?{query}"), None)
                .await
                .assert_ok(200)
                .clone();
            assert_eq!(
                data["pagination"]["total"],
                json!(expected),
                "{query}: {data}"
            );
        }
        let data = server
            .get("/search?q=physics&sort=title&order=asc", None)
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(
            titles(&data),
            [
                "Physics Engine",
                "Physics Simulation",
                "Rotating Cube",
                "Simulation of Physics"
            ]
        );
        for (query, field) in [
            ("min_duration=9&max_duration=3", "min_duration"),
            ("per_page=101", "per_page"),
            ("sort=best", "sort"),
            ("category=nope", "category"),
        ] {
            let res = server.get(&format!("/search?{query}"), None).await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(res.field(), field, "{query}");
        }
        server.stop().await;
    }
}

#[tokio::test]
async fn hostile_queries_never_fail() {
    for engine in engines().await {
        let server = TestServer::start(engine).await;
        corpus(&server).await;
        let long = "physics ".repeat(1250);
        let hostile = [
            "\"",
            "\"\"",
            "physics\"",
            "AND",
            "physics AND OR NOT",
            "NEAR(physics simulation, 2)",
            "phys*",
            "*",
            "^physics",
            "title:physics",
            "(physics",
            "physics)",
            "-physics",
            "'; DROP TABLE animations; --",
            "\\",
            "%_%",
            "物理 シミュレーション",
            "🙂🚀",
            "e\u{301}cole",
            "\u{0}",
            " ",
            "!@#$%^&*()",
            &long[..10_000],
        ];
        for q in hostile {
            // A NUL is refused as a bad value (it could never be stored); the rest is
            // searched.
            let want = if q.contains('\0') { 400 } else { 200 };
            let res = server
                .client
                .get(server.url("/search"))
                .query(&[("q", q)])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), want, "{q:?}");
            let res = server
                .client
                .get(server.url("/search/autocomplete"))
                .query(&[("q", &q.chars().take(200).collect::<String>())])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), want, "autocomplete {q:?}");
        }
        let data = server
            .get("/search?q=%22physics%22%20OR%20cube", None)
            .await
            .assert_ok(200)
            .clone();
        // Operators are words: "or" must appear too, so nothing matches.
        assert_eq!(data["pagination"]["total"], json!(0));
        let too_long = "a".repeat(10_001);
        let res = server.get(&format!("/search?q={too_long}"), None).await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(res.field(), "q");
        server.stop().await;
    }
}

#[tokio::test]
async fn autocomplete_suggests_titles_tags_and_queries() {
    for engine in engines().await {
        let server = TestServer::start(engine).await;
        corpus(&server).await;
        let data = server
            .get("/search/autocomplete?q=Phys", None)
            .await
            .assert_ok(200)
            .clone();
        let s: Vec<&str> = data["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        // The tag "physics" and the titles, lower case; not the unready draft.
        assert!(s.contains(&"physics"), "{s:?}");
        assert!(
            s.contains(&"physics simulation") && s.contains(&"physics engine"),
            "{s:?}"
        );
        assert!(!s.iter().any(|x| x.contains("draft")));
        assert!(s.len() <= 5);
        let data = server
            .get("/search/autocomplete?q=phys&limit=1", None)
            .await
            .assert_ok(200)
            .clone();
        assert_eq!(data["suggestions"].as_array().unwrap().len(), 1);

        // A query that found something is suggested afterwards.
        server
            .get("/search?q=rigid%20bodies", None)
            .await
            .assert_ok(200);
        let mut found = false;
        for _ in 0..40 {
            let data = server
                .get("/search/autocomplete?q=rig", None)
                .await
                .assert_ok(200)
                .clone();
            if data["suggestions"] == json!(["rigid bodies"]) {
                found = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(found, "the searched query was not suggested");
        assert_eq!(
            server
                .get("/search/autocomplete?q=zzz", None)
                .await
                .assert_ok(200)["suggestions"],
            json!([])
        );
        server
            .get("/search/autocomplete?q=a&limit=21", None)
            .await
            .assert_error(400, "VALIDATION_ERROR");
        server
            .get("/search/autocomplete", None)
            .await
            .assert_error(400, "VALIDATION_ERROR");
        server.stop().await;
    }
}
