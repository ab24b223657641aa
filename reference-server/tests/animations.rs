//! Uploads, details, updates, deletes, downloads and sources, on both engines.

mod common;

use common::{Engine, Seed, TestServer, engines, fake_mp4, make_mp4, metadata};
use serde_json::json;

fn stored_files(s: &TestServer) -> Vec<String> {
    let dir = s.data_dir.path().join("files");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.retain(|n| !n.starts_with('.'));
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_is_processed_then_listed_viewed_downloaded() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (token, user_id) = s.register("creator").await;
        let video = std::fs::read(make_mp4(2, 320, 240, 24)).unwrap();

        let res = s
            .upload(
                Some(&token),
                Some(video.clone()),
                Some(metadata("Rotating Cube")),
            )
            .await;
        let up = res.assert_ok(202)["animation"].clone();
        assert_eq!(up["status"], "processing");
        let id = up["id"].as_str().unwrap().to_owned();
        // Not listed while processing; invisible to others.
        let list = s.get("/animations", None).await;
        assert_eq!(list.assert_ok(200)["pagination"]["total"], 0);

        let anim = s.wait_status(&id, &token, "ready").await;
        let meta = &anim["metadata"];
        assert_eq!(meta["resolution"], "320x240");
        assert_eq!(meta["fps"], 24.0);
        assert!(
            (meta["duration"].as_f64().unwrap() - 2.0).abs() < 0.1,
            "{meta}"
        );
        assert_eq!(meta["file_size"], json!(video.len()));
        assert_eq!(meta["format"], "mp4");
        assert_eq!(anim["creator"]["id"], json!(user_id));
        assert_eq!(
            anim["versions"],
            json!([{"version": 1, "created_at": anim["created_at"], "changelog": "Initial release"}])
        );
        assert!(anim["source_code_url"].is_null());
        assert_eq!(
            anim["video_url"],
            json!(s.url(&format!("/animations/{id}/download")))
        );
        assert_eq!(anim["tags"], json!(["test", "math"]));
        assert_eq!(anim["category"], "math");

        // The thumbnail is a JPEG.
        let thumb = s
            .client
            .get(anim["thumbnail_url"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(thumb.status(), 200);
        assert_eq!(thumb.headers()["content-type"], "image/jpeg");
        let jpg = thumb.bytes().await.unwrap();
        assert_eq!(&jpg[..2], &[0xFF, 0xD8]);

        // Listed now, with the documented item shape.
        let list = s.get("/animations", None).await;
        let item = &list.assert_ok(200)["animations"][0];
        assert_eq!(item["id"], json!(id));
        assert_eq!(item["creator"]["username"], "creator");
        assert_eq!(item["resolution"], json!(null), "240p is no preset");
        assert_eq!(item["price"], 0.0);

        // Views are counted.
        let before =
            s.get(&format!("/animations/{id}"), None).await.data()["animation"]["stats"]["views"]
                .as_u64()
                .unwrap();
        let after =
            s.get(&format!("/animations/{id}"), None).await.data()["animation"]["stats"]["views"]
                .as_u64()
                .unwrap();
        assert_eq!(after, before + 1);

        // Download: signed-in callers only; 302 to a signed URL serving the same
        // bytes; counted.
        s.get(&format!("/animations/{id}/download"), None)
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        let (fan, _) = s.register("fan").await;
        let res = s
            .client
            .get(s.url(&format!("/animations/{id}/download")))
            .bearer_auth(&fan)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302);
        let location = res.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.contains("/v1/files/") && location.contains("signature="));
        let file = s.client.get(&location).send().await.unwrap();
        assert_eq!(file.status(), 200);
        assert_eq!(file.headers()["content-type"], "video/mp4");
        assert_eq!(file.bytes().await.unwrap().as_ref(), video.as_slice());
        let anim = s.get(&format!("/animations/{id}"), None).await;
        assert_eq!(anim.data()["animation"]["stats"]["downloads"], 1);

        // Tampered and expired signatures: 403; a missing object: 404.
        let tampered = location.replace("signature=", "signature=00");
        s.get(&tampered, None)
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");
        let name = format!("{id}.mp4");
        let expired = s.state.storage.signed_url(&s.base, &name, -10);
        s.get(&expired, None)
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");
        let missing = s.state.storage.signed_url(&s.base, "anim_none.mp4", 60);
        s.get(&missing, None).await.assert_error(404, "NOT_FOUND");
        s.get(&format!("/files/{name}"), None)
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");
        // A mangled query is a bad signature too, not a validation error.
        s.get(&format!("{location}&signature=again"), None)
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");
        s.get(&format!("/files/{name}?expires=soon&signature=x"), None)
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");

        s.get("/animations/anim_missing", None)
            .await
            .assert_error(404, "NOT_FOUND");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_checked_and_bad_ones_store_nothing() {
    for engine in engines().await {
        let s = TestServer::start_with(engine, |c| c.max_upload_bytes = 256 * 1024).await;
        let (token, _) = s.register("uploader").await;
        let video = std::fs::read(make_mp4(2, 320, 240, 24)).unwrap();

        // Not an MP4: a PNG header, text, an empty file.
        for bytes in [
            b"\x89PNG\r\n\x1a\n0000000000000000".to_vec(),
            b"hello world, not a video".to_vec(),
            vec![],
        ] {
            let res = s
                .upload(Some(&token), Some(bytes), Some(metadata("x")))
                .await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(res.field(), "file");
        }
        // Missing parts and bad metadata.
        let res = s.upload(Some(&token), None, Some(metadata("x"))).await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(res.field(), "file");
        let res = s.upload(Some(&token), Some(video.clone()), None).await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(res.field(), "metadata");
        for (meta, field) in [
            (json!({"title": ""}), "metadata.title"),
            (json!({"description": "no title"}), "metadata.title"),
            (
                json!({"title": "x", "tags": ["bad/tag"]}),
                "metadata.tags[0]",
            ),
            (json!({"title": "x", "price": 1.234}), "metadata.price"),
            (json!({"title": "x", "license": "GPL"}), "metadata.license"),
            (
                json!({"title": "x", "category": "cooking"}),
                "metadata.category",
            ),
        ] {
            let res = s
                .upload(Some(&token), Some(video.clone()), Some(meta.clone()))
                .await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(res.field(), field, "for {meta}");
        }
        let huge = json!({"title": "x", "description": "a".repeat(70_000)});
        let res = s
            .upload(Some(&token), Some(video.clone()), Some(huge))
            .await;
        res.assert_error(400, "VALIDATION_ERROR");
        assert_eq!(res.field(), "metadata");
        let res = s
            .upload(
                Some(&token),
                Some(video.clone()),
                Some(json!("not an object")),
            )
            .await;
        res.assert_error(400, "VALIDATION_ERROR");

        // Too large, whether or not the length is declared.
        let res = s
            .upload(
                Some(&token),
                Some(fake_mp4(400 * 1024)),
                Some(metadata("big")),
            )
            .await;
        res.assert_error(413, "PAYLOAD_TOO_LARGE");

        // Not multipart; anonymous.
        s.post("/animations", Some(&token), json!({"title": "x"}))
            .await
            .assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
        s.upload(None, Some(video.clone()), Some(metadata("x")))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");

        assert_eq!(
            stored_files(&s),
            Vec::<String>::new(),
            "nothing stored by refused uploads"
        );

        // A file that only looks like an MP4 is accepted, then fails processing.
        let res = s
            .upload(Some(&token), Some(fake_mp4(4096)), Some(metadata("fake")))
            .await;
        let id = res.assert_ok(202)["animation"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let anim = s.wait_status(&id, &token, "failed").await;
        assert!(anim["metadata"].is_null() && anim["video_url"].is_null());
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_owner_updates_and_deletes() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (owner, _) = s.register("owner").await;
        let (other, _) = s.register("other").await;
        let id = s.upload_ready(&owner, metadata("Original")).await;
        let path = format!("/animations/{id}");

        s.put(&path, None, json!({"title": "x"}))
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        s.put(&path, Some(&other), json!({"title": "x"}))
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");
        s.put(
            "/animations/anim_missing",
            Some(&owner),
            json!({"title": "x"}),
        )
        .await
        .assert_error(404, "NOT_FOUND");
        for (body, field) in [
            (json!({"title": ""}), "title"),
            (json!({"tags": ["ok", ""]}), "tags[1]"),
            (json!({"price": -1}), "price"),
            (json!({"changelog": ""}), "changelog"),
            (json!({"license": "nope"}), "license"),
        ] {
            let res = s.put(&path, Some(&owner), body.clone()).await;
            res.assert_error(400, "VALIDATION_ERROR");
            assert_eq!(res.field(), field, "for {body}");
        }

        let res = s
            .put(
                &path,
                Some(&owner),
                json!({"title": "Updated Title", "price": 9.99}),
            )
            .await;
        let anim = res.assert_ok(200)["animation"].clone();
        assert_eq!(anim["title"], "Updated Title");
        assert_eq!(anim["price"], 9.99);
        assert_eq!(
            anim["description"], "A test animation",
            "unchanged fields stay"
        );
        assert_eq!(anim["versions"].as_array().unwrap().len(), 1);

        let res = s
            .put(
                &path,
                Some(&owner),
                json!({"tags": ["new"], "changelog": "Fixed color contrast"}),
            )
            .await;
        let anim = res.assert_ok(200)["animation"].clone();
        assert_eq!(anim["versions"][0]["version"], 2);
        assert_eq!(anim["versions"][0]["changelog"], "Fixed color contrast");
        assert_eq!(anim["versions"][1]["version"], 1);

        // Paid now: anonymous 401, another user 403, the owner 302.
        let dl = format!("{path}/download");
        s.get(&dl, None)
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        s.get(&dl, Some(&other))
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");
        assert_eq!(s.get(&dl, Some(&owner)).await.status, 302);

        s.delete(&path, None)
            .await
            .assert_error(401, "AUTHENTICATION_ERROR");
        s.delete(&path, Some(&other))
            .await
            .assert_error(403, "AUTHORIZATION_ERROR");
        assert_eq!(stored_files(&s).len(), 2, "video and thumbnail");
        let res = s.delete(&path, Some(&owner)).await;
        assert_eq!(
            res.assert_ok(200)["message"],
            "Animation deleted successfully"
        );
        assert_eq!(stored_files(&s), Vec::<String>::new(), "files removed");
        s.get(&path, Some(&owner))
            .await
            .assert_error(404, "NOT_FOUND");
        s.delete(&path, Some(&owner))
            .await
            .assert_error(404, "NOT_FOUND");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn source_code_when_there_is_some() {
    for engine in engines().await {
        let s = TestServer::start(engine).await;
        let (token, user_id) = s.register("manimist").await;
        let mut seed = Seed::titled("Generated");
        seed.source_code = Some("from manim import *\n".into());
        let with_source = s.seed_animation(&user_id, seed).await;
        let without = s.seed_animation(&user_id, Seed::titled("Uploaded")).await;

        let anim = s.get(&format!("/animations/{with_source}"), None).await;
        assert_eq!(
            anim.data()["animation"]["source_code_url"],
            json!(s.url(&format!("/animations/{with_source}/source")))
        );
        let res = s
            .get(&format!("/animations/{with_source}/source"), None)
            .await;
        let src = res.assert_ok(200);
        assert_eq!(src["source_code"], "from manim import *\n");
        assert_eq!(src["language"], "python");
        assert_eq!(src["framework"], "manim-community");
        assert_eq!(src["version"], "0.19.0");
        s.get(&format!("/animations/{without}/source"), Some(&token))
            .await
            .assert_error(404, "NOT_FOUND");
        s.get("/animations/anim_nope/source", None)
            .await
            .assert_error(404, "NOT_FOUND");
        s.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn processing_animations_are_private_to_their_owner() {
    let s = TestServer::start(Engine::Sqlite).await;
    let (owner, _) = s.register("slow").await;
    let (other, _) = s.register("peek").await;
    let res = s
        .upload(
            Some(&owner),
            Some(fake_mp4(1024)),
            Some(metadata("pending")),
        )
        .await;
    let id = res.assert_ok(202)["animation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    s.wait_status(&id, &owner, "failed").await;
    s.get(&format!("/animations/{id}"), Some(&other))
        .await
        .assert_error(404, "NOT_FOUND");
    s.get(&format!("/animations/{id}"), None)
        .await
        .assert_error(404, "NOT_FOUND");
    // The owner's own: no video yet is a conflict (the contract's 409).
    s.get(&format!("/animations/{id}/download"), Some(&owner))
        .await
        .assert_error(409, "CONFLICT");
}
