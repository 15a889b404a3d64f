//! Headless Chromium through chromedriver (WebDriver), driven with fantoccini: the pages as a
//! person sees them. Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them)
//! and, for the accessibility check, axe-core (`.ci/run` fetches it from the npm registry into
//! `target/axe/axe.min.js`, or set GONGKAI_AXE_JS). Without them the browser tests say so and
//! pass on a developer's machine, and fail in CI (CI=true), where they must run.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

pub struct Browser {
    pub client: Client,
    driver: tokio::process::Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    /// A test that fails never reaches `close`: end the driver's whole process group, or the
    /// browser it started would outlive the test.
    fn drop(&mut self) {
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
        }
    }
}

fn required() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

fn find(candidates: &[&str]) -> Option<PathBuf> {
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `target/` (or CARGO_TARGET_DIR), where screenshots and the fetched axe-core live.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

impl Browser {
    /// A fresh browser (own profile), or `None` when this machine has none and CI is not set.
    pub async fn start() -> Option<Self> {
        let driver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]);
        let chromium = find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]);
        let (Some(driver), Some(chromium)) = (driver, chromium) else {
            assert!(
                !required(),
                "CI needs chromium and chromium-driver for the browser tests (.ci/run installs them)"
            );
            eprintln!("browser tests skipped: chromium and chromium-driver are not installed");
            return None;
        };
        let port = free_port();
        let child = tokio::process::Command::new(driver)
            .arg(format!("--port={port}"))
            // A group of its own, so that a failed test takes Chromium down with its driver.
            .process_group(0)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            json!({
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--lang=zh-CN",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1280,900"
                ]
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            let http = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(http)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Some(Self {
                        client,
                        driver: child,
                        _profile: profile,
                    })
                }
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver did not answer: {last:?}");
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// Types into the input named `name` (its old text cleared first).
    pub async fn fill(&self, name: &str, text: &str) {
        self.fill_in("body", name, text).await;
    }

    /// Types into the first input named `name` inside `scope` (a CSS selector).
    pub async fn fill_in(&self, scope: &str, name: &str, text: &str) {
        let css = format!("{scope} [name=\"{name}\"]");
        let e = self
            .client
            .find(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"));
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Chooses `value` in the select named `name` inside `scope`.
    pub async fn select_in(&self, scope: &str, name: &str, value: &str) {
        let css = format!("{scope} select[name=\"{name}\"]");
        let e = self
            .client
            .find(Locator::Css(&css))
            .await
            .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"));
        e.select_by_value(value).await.unwrap();
    }

    /// Whether anything on the page matches `css`.
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// The text of the first element matching `css`.
    pub async fn text_of(&self, css: &str) -> String {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"))
            .text()
            .await
            .unwrap()
    }

    /// Clicks the first element matching the CSS selector.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("nothing matches {css}: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Clicks something that loads another page (a submit button, a link) and waits until the
    /// new page has loaded (the old document is marked, so a page that reloads itself counts).
    pub async fn click_and_wait(&self, css: &str) {
        self.client
            .execute("window.__gongkaiOld = true;", vec![])
            .await
            .unwrap();
        self.click(css).await;
        for _ in 0..200 {
            let loaded = self
                .client
                .execute(
                    "return window.__gongkaiOld === undefined && document.readyState === 'complete';",
                    vec![],
                )
                .await
                .unwrap_or(json!(false));
            if loaded == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking {css} loaded no new page");
    }

    /// The text of the page's body, as a person reads it.
    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    #[track_caller]
    pub fn assert_contains(text: &str, wanted: &str) {
        assert!(text.contains(wanted), "{wanted:?} not on the page:\n{text}");
    }

    pub async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// Waits (up to 10 s) until the browser is on `path` with the page loaded: a click that
    /// submits a form returns before the next page is there.
    #[track_caller]
    pub fn wait_path<'a>(&'a self, path: &'a str) -> impl std::future::Future<Output = ()> + 'a {
        let caller = std::panic::Location::caller();
        async move {
            for _ in 0..200 {
                let ready = self
                    .client
                    .execute("return document.readyState", vec![])
                    .await
                    .ok();
                if self.path().await == path && ready == Some(json!("complete")) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            panic!(
                "{caller}: the browser is on {}, not {path}",
                self.path().await
            );
        }
    }

    /// Writes `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = target_dir().join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Runs axe-core on the page and fails on any serious or critical violation.
    pub async fn assert_accessible(&self, page: &str) {
        let path = std::env::var_os("GONGKAI_AXE_JS")
            .map(PathBuf::from)
            .unwrap_or_else(|| target_dir().join("axe").join("axe.min.js"));
        let Ok(axe) = std::fs::read_to_string(&path) else {
            assert!(
                !required(),
                "CI needs axe-core at {} (.ci/run fetches it)",
                path.display()
            );
            eprintln!(
                "accessibility check of {page} skipped: no axe-core at {}",
                path.display()
            );
            return;
        };
        self.client.execute(&axe, vec![]).await.unwrap();
        let found: Value = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] }).then(r => done(
                   r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                  nodes: v.nodes.map(n => n.target.join(' ')) }))));",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            found,
            json!([]),
            "serious or critical accessibility violations on {page}"
        );
    }

    pub async fn close(self) {
        self.client.clone().close().await.unwrap();
    }
}
