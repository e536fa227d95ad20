//! Every user, page by page (one page of 50 at a time, fetched lazily), and the app-data records
//! of a model through the cursor pager.
//!
//! `PLYSTRA_URL` (default `http://127.0.0.1:8080`), `PLYSTRA_ACCESS_TOKEN` (required).

use futures_util::StreamExt;
use plystra::Plystra;
use plystra::prelude::*;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("PLYSTRA_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let plystra = Plystra::builder(url)
        .access_token(std::env::var("PLYSTRA_ACCESS_TOKEN")?)
        .build()?;

    let users = plystra.api().list_users().limit(50).call().await?;
    println!(
        "{} users (limit {:?})",
        users.len(),
        users.pagination.as_ref().map(|p| p.limit)
    );

    let records = plystra::paginate(|cursor| {
        let page = plystra
            .api()
            .list_app_data_records()
            .space_id("space_acme")
            .model_key("notes")
            .limit(100);
        match cursor {
            Some(cursor) => page.cursor(cursor),
            None => page,
        }
    });
    futures_util::pin_mut!(records);
    while let Some(record) = records.next().await {
        let record = record?;
        println!("{} {}", record.id, record.display_name);
    }
    Ok(())
}
