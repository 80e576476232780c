//! End-to-end tests of the transaction-file ingest (`clvkit::ingest::transactions`): bytes in
//! chunks → `Dataset` + `IngestReport`.
//!
//! Every file goes through [`run`], which ingests it whole and in chunks of 1, 2, 3, 7, 64 and 4096
//! bytes and requires the same outcome each time (a canonical dump of the dataset and the report,
//! or the same error), and checks that accepted + rejected = total rows.
//!
//! The fixtures are written here, inline: small imitations of a UCI Online Retail file, a Shopify
//! orders export, a Stripe payments export, European and CRM-style files (no real customer data).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::str::FromStr;

use clvkit::dataset::{Dataset, Day};
use clvkit::error::{Error, ErrorCode};
use clvkit::ingest::amounts::DecimalSeparator;
use clvkit::ingest::dates::{format_day, parse_iso_day, DateOrder};
use clvkit::ingest::mapping::Role;
use clvkit::ingest::rows::RowError;
use clvkit::ingest::transactions::{ingest_bytes, IngestOptions, IngestReport, ReturnPolicy, TransactionIngest};
use rust_decimal::Decimal;
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const CHUNKS: [usize; 7] = [1, 2, 3, 7, 64, 4096, usize::MAX];

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn day(s: &str) -> Day {
    parse_iso_day(s).unwrap_or_else(|| panic!("not an ISO day: {s}"))
}

fn opts(value: serde_json::Value) -> IngestOptions {
    serde_json::from_value(value).expect("options")
}

/// Everything the dataset and the report hold, in a canonical text form.
fn dump(d: &Dataset, r: &IngestReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "customers {:?}", d.customers.iter().collect::<Vec<_>>());
    let _ = writeln!(s, "channels {:?}", d.channels.iter().collect::<Vec<_>>());
    let _ = writeln!(s, "categories {:?}", d.categories.iter().collect::<Vec<_>>());
    for (i, p) in d.products.iter().enumerate() {
        let info = &d.product_info[i];
        let category = info.category.map(|c| d.categories.name(c).to_owned());
        let _ = writeln!(s, "product {p:?} {:?} {category:?}", info.name);
    }
    let channels: Vec<_> = d.customer_channel.iter().map(|c| c.map(|c| d.channels.name(c).to_owned())).collect();
    let _ = writeln!(s, "customer channels {channels:?} ranges {:?}", d.customer_orders);
    let by_customer = (0..d.customers.len() as u32).flat_map(|c| d.orders_of(c).iter().map(move |o| (c, o)));
    for (c, o) in by_customer {
        let _ = write!(
            s,
            "order {} {} {} {} {}:",
            d.customers.name(c),
            format_day(o.day),
            o.revenue,
            d.items(o).expect("items"),
            o.is_return
        );
        for l in d.lines_of(o) {
            let product = l.product.map(|p| d.products.name(p).to_owned());
            let _ = write!(s, " [{product:?} {} {}]", l.quantity, l.amount);
        }
        s.push('\n');
    }
    s.push_str(&serde_json::to_string_pretty(r).expect("report"));
    s
}

fn check_report(d: &Dataset, r: &IngestReport) {
    let rows = &r.rows;
    assert_eq!(rows.accepted_rows + rows.rejected_rows, rows.total_rows, "accepted + rejected = total");
    assert_eq!(rows.rejected_by_code.values().sum::<u64>(), rows.rejected_rows);
    assert!(rows.error_examples.len() as u64 <= rows.rejected_rows);
    let lines: Vec<u64> = rows.error_examples.iter().map(|e| e.line).collect();
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "examples in file order: {lines:?}");
    assert!(r.return_rows + r.failed_rows <= rows.accepted_rows);
    assert_eq!(r.customers, d.customers.len() as u64);
    assert_eq!(r.orders, d.orders.len() as u64);
    assert_eq!(r.lines, d.lines().len() as u64);
}

/// Ingests `bytes` whole and in every chunk size of [`CHUNKS`]; all outcomes must be identical.
fn run(bytes: &[u8], options: &IngestOptions) -> Result<(Dataset, IngestReport), Error> {
    let first = ingest_bytes(bytes, options, usize::MAX);
    let reference = first.as_ref().map(|(d, r)| dump(d, r));
    for size in CHUNKS {
        let other = ingest_bytes(bytes, options, size);
        match (&reference, &other) {
            (Ok(a), Ok((d, r))) => {
                let b = dump(d, r);
                assert!(*a == b, "chunk size {size} changed the result:\n--- whole\n{a}\n--- chunked\n{b}");
            }
            (Err(a), Err(b)) => assert_eq!(*a, b, "chunk size {size} changed the error"),
            (a, b) => panic!("chunk size {size}: {a:?} vs {:?}", b.as_ref().map(|(d, r)| dump(d, r))),
        }
    }
    if let Ok((d, r)) = &first {
        check_report(d, r);
    }
    first
}

fn ok(text: &str, options: &IngestOptions) -> (Dataset, IngestReport) {
    run(text.as_bytes(), options).unwrap_or_else(|e| panic!("ingest failed: {e:?}"))
}

fn fail(bytes: &[u8], options: &IngestOptions) -> Error {
    match run(bytes, options) {
        Ok((d, r)) => panic!("expected an error, got:\n{}", dump(&d, &r)),
        Err(e) => e,
    }
}

fn default() -> IngestOptions {
    IngestOptions::default()
}

/// (day, revenue, is_return) of each order of `customer`, by day.
fn orders(d: &Dataset, customer: &str) -> Vec<(Day, Decimal, bool)> {
    let c = d.customers.lookup(customer).unwrap_or_else(|| panic!("no customer {customer:?}"));
    d.orders_of(c).iter().map(|o| (o.day, o.revenue, o.is_return)).collect()
}

/// (product, quantity, amount) of the lines of each order of `customer`.
fn lines(d: &Dataset, customer: &str) -> Vec<Vec<(Option<String>, Decimal, Decimal)>> {
    let c = d.customers.lookup(customer).unwrap_or_else(|| panic!("no customer {customer:?}"));
    d.orders_of(c)
        .iter()
        .map(|o| d.lines_of(o).iter().map(|l| (l.product.map(|p| d.products.name(p).to_owned()), l.quantity, l.amount)).collect())
        .collect()
}

fn names(i: impl Iterator<Item = impl ToString>) -> Vec<String> {
    i.map(|s| s.to_string()).collect()
}

fn counts(r: &IngestReport) -> (u64, u64, u64) {
    (r.rows.total_rows, r.rows.accepted_rows, r.rows.rejected_rows)
}

fn by_code(r: &IngestReport) -> BTreeMap<&'static str, u64> {
    r.rows.rejected_by_code.clone()
}

fn example(r: &IngestReport, i: usize) -> &RowError {
    r.rows.error_examples.get(i).unwrap_or_else(|| panic!("no error example {i}: {:?}", r.rows.error_examples))
}

/// (line, column, header, code) of an error example.
fn at(e: &RowError) -> (u64, Option<u64>, Option<&str>, &str) {
    (e.line, e.column, e.header.as_deref(), e.code)
}

fn header(r: &IngestReport, role: Role) -> Option<&str> {
    r.mapping.as_ref().and_then(|m| m.column(role)).map(|c| c.header.as_str())
}

fn warning_codes(r: &IngestReport) -> Vec<&str> {
    r.warnings.iter().map(|w| w.code.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------
// Real-world shaped exports
// ---------------------------------------------------------------------------------------------

const UCI: &str = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom
536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850,United Kingdom
536366,22633,HAND WARMER UNION JACK,6,12/1/2010 8:28,1.85,17850,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,12/1/2010 8:34,1.69,13047,United Kingdom
536368,22960,JAM MAKING SET WITH JARS,6,12/1/2010 8:34,4.25,13047,United Kingdom
536414,22139,,56,12/1/2010 11:52,0,,United Kingdom
C536379,D,Discount,-1,12/1/2010 9:41,27.50,14527,United Kingdom
536544,21773,DECORATIVE ROSE BATHROOM BOTTLE,1,12/1/2010 14:32,2.51,,United Kingdom
C536383,35004C,SET OF 3 COLOURED  FLYING DUCKS,-1,12/1/2010 9:49,4.65,15311,United Kingdom
536381,22719,GUMBALL MONOCHROME COAT RACK,1,12/1/2010 9:41,1.25,15311,United Kingdom
537226,22811,\"SET OF 6 T-LIGHTS CACTI , \",6,12/6/2010 8:34,2.95,15987,United Kingdom
539993,22386,JUMBO BAG PINK POLKADOT,10,12/23/2010 13:36,1.95,13047,United Kingdom
581587,23256,CHILDRENS CUTLERY SPACEBOY ,4,12/9/2011 12:50,4.15,12680,France
";

#[test]
fn uci_online_retail_sample() {
    let (d, r) = ok(UCI, &default());
    // Mapping: InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID.
    for (role, h) in [
        (Role::OrderId, "InvoiceNo"),
        (Role::ProductId, "StockCode"),
        (Role::ProductName, "Description"),
        (Role::Quantity, "Quantity"),
        (Role::Date, "InvoiceDate"),
        (Role::UnitPrice, "UnitPrice"),
        (Role::CustomerId, "CustomerID"),
    ] {
        assert_eq!(header(&r, role), Some(h), "{role:?}");
    }
    assert_eq!(header(&r, Role::Amount), None);
    assert_eq!(r.mapping.as_ref().unwrap().unmapped, vec!["Country"]);
    assert_eq!(r.headers.len(), 8);
    assert_eq!(r.delimiter, ",");
    // 12/1/2010 is ambiguous; 12/23/2010 proves month first.
    assert_eq!(r.date_format, Some(DateOrder::Mdy));
    assert_eq!(r.decimal_separator, Some(DecimalSeparator::Dot));
    // Two rows without CustomerID are rejected.
    assert_eq!(counts(&r), (13, 11, 2));
    assert_eq!(by_code(&r), BTreeMap::from([("MISSING_FIELD", 2)]));
    assert_eq!(at(example(&r, 0)), (7, Some(7), Some("CustomerID"), "MISSING_FIELD"));
    assert_eq!(at(example(&r, 1)), (9, Some(7), Some("CustomerID"), "MISSING_FIELD"));
    assert!(example(&r, 0).message.starts_with("line 7:"), "{}", example(&r, 0).message);
    // Cancellations (C-prefixed invoices) are returns, netted by default.
    assert_eq!(r.return_rows, 2);
    assert_eq!(r.returns, ReturnPolicy::Net);
    assert_eq!(r.failed_rows, 0);
    assert_eq!(names(d.customers.iter()), ["17850", "13047", "14527", "15311", "15987", "12680"]);
    assert_eq!((r.customers, r.orders, r.lines), (6, 10, 11));
    let dec1 = day("2010-12-01");
    assert_eq!(orders(&d, "17850"), vec![(dec1, dec("35.64"), false), (dec1, dec("11.10"), false)]);
    assert_eq!(
        orders(&d, "13047"),
        vec![(dec1, dec("54.08"), false), (dec1, dec("25.50"), false), (day("2010-12-23"), dec("19.50"), false)]
    );
    assert_eq!(orders(&d, "14527"), vec![(dec1, dec("-27.50"), true)]);
    // Same day: file order (the cancellation came first).
    assert_eq!(orders(&d, "15311"), vec![(dec1, dec("-4.65"), true), (dec1, dec("1.25"), false)]);
    assert_eq!(orders(&d, "15987"), vec![(day("2010-12-06"), dec("17.70"), false)]);
    assert_eq!(orders(&d, "12680"), vec![(day("2011-12-09"), dec("16.60"), false)]);
    assert_eq!(
        lines(&d, "17850")[0],
        vec![(Some("85123A".into()), dec("6"), dec("15.30")), (Some("71053".into()), dec("6"), dec("20.34"))]
    );
    assert_eq!(lines(&d, "14527")[0], vec![(Some("D".into()), dec("-1"), dec("-27.50"))]);
    // Products: 11 accepted stock codes; names trimmed; the rejected rows' codes are not kept.
    assert_eq!(d.products.len(), 11);
    assert!(d.products.lookup("22139").is_none());
    let info = &d.product_info[d.products.lookup("22811").unwrap() as usize];
    assert_eq!(info.name.as_deref(), Some("SET OF 6 T-LIGHTS CACTI ,"));
    let info = &d.product_info[d.products.lookup("35004C").unwrap() as usize];
    assert_eq!(info.name.as_deref(), Some("SET OF 3 COLOURED  FLYING DUCKS"));
    assert!(d.channels.is_empty());
    assert_eq!(d.customer_channel, vec![None; 6]);
    // The mapping and counts cross to JS in camelCase.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["totalRows"], 13);
    assert_eq!(json["rejectedByCode"]["MISSING_FIELD"], 2);
    assert_eq!(json["errorExamples"][0]["header"], "CustomerID");
    assert_eq!(json["returnRows"], 2);
    assert_eq!(json["failedRows"], 0);
    assert_eq!(json["dateFormat"], "mdy");
    assert_eq!(json["mapping"]["orderId"]["header"], "InvoiceNo");
}

#[test]
fn uci_dates_that_never_prove_an_order_need_the_option() {
    // Only the first days of December 2010: 12/1 … 12/9 fit both orders.
    let text: String = UCI.lines().take(11).map(|l| format!("{l}\n")).collect();
    let e = fail(text.as_bytes(), &default());
    assert_eq!(e.code, ErrorCode::AmbiguousDate);
    assert_eq!(e.field.as_deref(), Some("dateFormat"));
    assert!(e.message.contains("\"dmy\" or \"mdy\""), "{}", e.message);
    let (d, r) = ok(&text, &opts(json!({ "dateFormat": "mdy" })));
    assert_eq!(r.date_format, Some(DateOrder::Mdy));
    assert_eq!(orders(&d, "14527"), vec![(day("2010-12-01"), dec("-27.50"), true)]);
    let (d, r) = ok(&text, &opts(json!({ "dateFormat": "dmy" })));
    assert_eq!(r.date_format, Some(DateOrder::Dmy));
    assert_eq!(orders(&d, "14527"), vec![(day("2010-01-12"), dec("-27.50"), true)]);
}

const SHOPIFY: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Id,Source
#1001,alice@example.com,paid,2023-03-01 10:00:00 +0100,fulfilled,yes,EUR,30.00,5.00,6.00,41.00,,0.00,2023-03-01 09:58:12 +0100,2,Mug,10.00,MUG-1,Alice A,5001,web
#1001,alice@example.com,,,,,,,,,,,,2023-03-01 09:58:12 +0100,1,Tea,10.00,TEA-1,,,
#1002,bob@example.com,refunded,2023-03-02 11:00:00 +0100,fulfilled,no,EUR,10.00,0.00,2.00,12.00,,0.00,2023-03-02 10:59:00 +0100,1,Mug,10.00,MUG-1,Bob B,5002,web
#1003,carol@example.com,partially_refunded,2023-03-05 12:00:00 +0100,fulfilled,no,EUR,25.00,0.00,0.00,25.00,,0.00,2023-03-05 11:30:00 +0100,1,\"Teapot, large\",25.00,POT-L,Carol C,5003,pos
#1004,dave@example.com,voided,,,no,EUR,20.00,0.00,0.00,20.00,,0.00,2023-03-06 08:00:00 +0100,1,Mug,10.00,MUG-1,Dave D,5004,web
#1004,,,,,,,,,,,,,,1,Tea,10.00,TEA-1,,,
#1005,alice@example.com,paid,2023-04-01 09:00:00 +0200,unfulfilled,yes,EUR,42.50,0.00,0.00,38.25,SPRING10,4.25,2023-04-01 08:59:59 +0200,3,Tea,10.00,TEA-1,Alice A,5005,email
#1005,,,,,,,,,,,,,,1,Cake,12.50,CAKE-1,,,
";

#[test]
fn shopify_orders_export() {
    let (d, r) = ok(SHOPIFY, &default());
    assert_eq!(header(&r, Role::OrderId), Some("Name"));
    assert_eq!(header(&r, Role::Email), Some("Email"));
    assert_eq!(header(&r, Role::CustomerId), None);
    assert_eq!(header(&r, Role::Date), Some("Created at"));
    assert_eq!(header(&r, Role::Amount), Some("Total"));
    assert_eq!(header(&r, Role::Quantity), Some("Lineitem quantity"));
    assert_eq!(header(&r, Role::UnitPrice), Some("Lineitem price"));
    assert_eq!(header(&r, Role::ProductId), Some("Lineitem sku"));
    assert_eq!(header(&r, Role::ProductName), Some("Lineitem name"));
    assert_eq!(header(&r, Role::Status), Some("Financial Status"));
    assert_eq!(header(&r, Role::Channel), Some("Source"));
    assert_eq!(counts(&r), (8, 8, 0));
    // Line amounts are quantity × price: the order-level Total (only on the first line, with
    // shipping, taxes and discounts) is not used; the report says so.
    assert!(warning_codes(&r).contains(&"LINE_ITEM_AMOUNTS"), "{:?}", r.warnings);
    // Later lines of an order inherit its customer, date and financial status.
    assert_eq!(
        orders(&d, "alice@example.com"),
        vec![(day("2023-03-01"), dec("30.00"), false), (day("2023-04-01"), dec("42.50"), false)]
    );
    assert_eq!(
        lines(&d, "alice@example.com")[1],
        vec![(Some("TEA-1".into()), dec("3"), dec("30.00")), (Some("CAKE-1".into()), dec("1"), dec("12.50"))]
    );
    // "refunded": the sale was reversed in full; it nets to zero and is a return.
    assert_eq!(orders(&d, "bob@example.com"), vec![(day("2023-03-02"), dec("0"), true)]);
    assert_eq!(lines(&d, "bob@example.com")[0], vec![(Some("MUG-1".into()), dec("0"), dec("0"))]);
    // "partially_refunded" is still a sale.
    assert_eq!(orders(&d, "carol@example.com"), vec![(day("2023-03-05"), dec("25.00"), false)]);
    // "voided": no money moved: both lines are left out, counted as failed payments.
    assert!(d.customers.lookup("dave@example.com").is_none());
    assert_eq!(r.failed_rows, 2);
    assert_eq!(r.return_rows, 1);
    assert_eq!(names(d.customers.iter()), ["alice@example.com", "bob@example.com", "carol@example.com"]);
    assert_eq!(names(d.channels.iter()), ["web", "pos", "email"]);
    let channel = |c: &str| d.customer_channel[d.customers.lookup(c).unwrap() as usize].map(|i| d.channels.name(i).to_owned());
    assert_eq!(channel("alice@example.com").as_deref(), Some("web"), "the first order's channel");
    assert_eq!(channel("carol@example.com").as_deref(), Some("pos"));
    let info = &d.product_info[d.products.lookup("POT-L").unwrap() as usize];
    assert_eq!(info.name.as_deref(), Some("Teapot, large"));
    assert_eq!((r.customers, r.orders, r.lines), (3, 4, 6));

    // Dropping returns leaves Bob out entirely; still counted.
    let (d, r) = ok(SHOPIFY, &opts(json!({ "returns": "drop" })));
    assert_eq!(names(d.customers.iter()), ["alice@example.com", "carol@example.com"]);
    assert_eq!((r.return_rows, r.failed_rows, r.returns), (1, 2, ReturnPolicy::Drop));
    assert_eq!(counts(&r), (8, 8, 0));

    // Unmapping the unit price makes the order Total the amount (first line only carries it).
    let (d, r) = ok(SHOPIFY, &opts(json!({ "mapping": { "unitPrice": null } })));
    assert!(!warning_codes(&r).contains(&"LINE_ITEM_AMOUNTS"));
    assert_eq!(header(&r, Role::UnitPrice), None);
    // The second line of #1001 has no Total: it is rejected, the order keeps the first line.
    assert_eq!(counts(&r), (8, 6, 2));
    assert_eq!(at(example(&r, 0)), (3, Some(11), Some("Total"), "INVALID_AMOUNT"));
    assert_eq!(orders(&d, "alice@example.com")[0], (day("2023-03-01"), dec("41.00"), false));
}

const STRIPE: &str = "id,Description,Created (UTC),Amount,Amount Refunded,Currency,Converted Amount,Fee,Status,Customer ID,Customer Email,Captured,Card Last4,Invoice ID
ch_1,Pro plan,2023-01-15 10:32:11,25.00,0.00,usd,25.00,1.03,Paid,cus_A,a@example.com,true,4242,in_1
ch_2,Pro plan,2023-02-15 10:32:11,25.00,25.00,usd,25.00,1.03,Refunded,cus_A,a@example.com,true,4242,in_2
ch_3,Pro plan,2023-02-16 08:00:00,25.00,0.00,usd,0.00,0.00,Failed,cus_B,b@example.com,false,0002,in_3
ch_4,Starter,2023-03-01 12:00:00,\"1,200.00\",0.00,usd,\"1,200.00\",35.10,Paid,,guest@example.com,true,1881,
ch_5,Starter,2023-03-02 12:00:00,9.99,0.00,usd,0.00,0.00,Failed,,,false,0341,
ch_6,Pro plan,2023-03-15 10:00:00,25.00,10.00,usd,25.00,1.03,Paid,cus_B,b@example.com,true,4242,in_6
";

#[test]
fn stripe_payments_export() {
    let (d, r) = ok(STRIPE, &default());
    assert_eq!(header(&r, Role::OrderId), Some("id"));
    assert_eq!(header(&r, Role::Date), Some("Created (UTC)"));
    assert_eq!(header(&r, Role::Amount), Some("Amount"));
    assert_eq!(header(&r, Role::Status), Some("Status"));
    assert_eq!(header(&r, Role::CustomerId), Some("Customer ID"));
    assert_eq!(header(&r, Role::Email), Some("Customer Email"));
    assert_eq!(header(&r, Role::ProductName), Some("Description"));
    assert_eq!(counts(&r), (6, 6, 0));
    // Failed payments are not revenue: accepted, left out, counted.
    assert_eq!(r.failed_rows, 2);
    // A refunded charge nets to zero.
    assert_eq!(r.return_rows, 1);
    assert_eq!(
        orders(&d, "cus_A"),
        vec![(day("2023-01-15"), dec("25.00"), false), (day("2023-02-15"), dec("0"), true)]
    );
    assert_eq!(orders(&d, "cus_B"), vec![(day("2023-03-15"), dec("25.00"), false)]);
    // A guest charge without a customer id is the customer of its email.
    assert_eq!(orders(&d, "guest@example.com"), vec![(day("2023-03-01"), dec("1200.00"), false)]);
    assert_eq!(names(d.customers.iter()), ["cus_A", "guest@example.com", "cus_B"]);
    assert_eq!(d.products.len(), 0, "no product id column");
    let (d, r) = ok(STRIPE, &opts(json!({ "returns": "drop" })));
    assert_eq!(orders(&d, "cus_A"), vec![(day("2023-01-15"), dec("25.00"), false)]);
    assert_eq!((r.return_rows, r.failed_rows), (1, 2));
}

const WOOCOMMERCE: &str = "Order ID,Order Number,Order Date,Order Status,Customer User ID,Billing First Name,Billing Last Name,Billing Email,Billing Phone,Order Total Amount,Order Shipping Amount,Payment Method Title,Item #,Item SKU,Item Name,Quantity,Item Cost,Coupon Code,Discount Amount
101,101,2023-05-01 10:00,Completed,7,Ann,Lee,ann@example.com,555,32.00,5.00,Card,1,SKU-A,Mug,2,10.00,,0
101,101,2023-05-01 10:00,Completed,7,Ann,Lee,ann@example.com,555,32.00,5.00,Card,2,SKU-B,Tea,1,7.00,,0
102,102,2023-05-02 11:00,Processing,0,Guest,One,guest@example.com,,15.00,5.00,PayPal,1,SKU-A,Mug,1,10.00,,0
103,103,2023-05-03 12:00,Refunded,7,Ann,Lee,ann@example.com,555,10.00,0.00,Card,1,SKU-A,Mug,1,10.00,,0
104,104,2023-05-04 13:00,Failed,0,Guest,Two,guest2@example.com,,10.00,0.00,Card,1,SKU-A,Mug,1,10.00,,0
105,105,2023-05-05 14:00,Cancelled,0,Guest,One,guest@example.com,,10.00,0.00,Card,1,SKU-A,Mug,1,10.00,,0
106,106,2023-05-06 15:00,Completed,0,Guest,Three,,,10.00,0.00,Card,1,SKU-A,Mug,1,10.00,,0
";

#[test]
fn woocommerce_orders_export() {
    let (d, r) = ok(WOOCOMMERCE, &default());
    assert_eq!(header(&r, Role::OrderId), Some("Order ID"));
    assert_eq!(header(&r, Role::CustomerId), Some("Customer User ID"));
    assert_eq!(header(&r, Role::Email), Some("Billing Email"));
    assert_eq!(header(&r, Role::Amount), Some("Order Total Amount"));
    assert_eq!(header(&r, Role::UnitPrice), Some("Item Cost"));
    assert_eq!(header(&r, Role::Status), Some("Order Status"));
    // The order total is repeated on every line: the line items count, not 2 × 32.00.
    assert_eq!(warning_codes(&r), ["LINE_ITEM_AMOUNTS"]);
    assert_eq!(orders(&d, "7"), vec![(day("2023-05-01"), dec("27.00"), false), (day("2023-05-03"), dec("0"), true)]);
    // Guests are customer 0 in WooCommerce: their email identifies them.
    assert_eq!(orders(&d, "guest@example.com"), vec![(day("2023-05-02"), dec("10.00"), false), (day("2023-05-05"), dec("0"), true)]);
    assert!(d.customers.lookup("guest2@example.com").is_none(), "a failed order is no purchase");
    // With no email either, the guest is nobody in particular: the row is rejected rather than
    // every such guest becoming one customer "0".
    assert!(d.customers.lookup("0").is_none());
    assert_eq!(counts(&r), (7, 6, 1));
    assert_eq!(at(example(&r, 0)), (8, Some(5), Some("Customer User ID"), "MISSING_FIELD"));
    assert!(example(&r, 0).message.contains("no customer id or email"), "{}", example(&r, 0).message);
    assert_eq!((r.return_rows, r.failed_rows), (2, 1));
}

// ---------------------------------------------------------------------------------------------
// Delimiters, quoting, line endings, encodings
// ---------------------------------------------------------------------------------------------

#[test]
fn semicolon_file_with_decimal_commas() {
    let text = "customer_id;order_id;date;amount;quantity\n\
                K-1;A1;04.03.2011;1.234,50 €;1\n\
                K-1;A2;15.03.2011;12,50;2\n\
                K-2;A3;01.04.2011;-3,00;1\n\
                K-2;A4;02.04.2011;(4,25);1\n\
                K-2;A5;02.04.2011;€1.000;1\n";
    let (d, r) = ok(text, &default());
    assert_eq!(r.delimiter, ";");
    assert_eq!(r.decimal_separator, Some(DecimalSeparator::Comma));
    assert_eq!(r.date_format, None, "dot dates are always day first and prove nothing");
    assert_eq!(counts(&r), (5, 5, 0));
    assert_eq!(
        orders(&d, "K-1"),
        vec![(day("2011-03-04"), dec("1234.50"), false), (day("2011-03-15"), dec("12.50"), false)]
    );
    assert_eq!(
        orders(&d, "K-2"),
        vec![(day("2011-04-01"), dec("-3.00"), true), (day("2011-04-02"), dec("-4.25"), true), (day("2011-04-02"), dec("1000"), false)]
    );
    assert_eq!(r.return_rows, 2);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn decimal_separator_ambiguity_is_warned_or_set_by_the_option() {
    let text = "customer,date,amount\na,2011-01-01,\"1,234\"\nb,2011-01-02,5\n";
    let (d, r) = ok(text, &default());
    assert_eq!(orders(&d, "a")[0].1, dec("1234"));
    assert_eq!(r.decimal_separator, None);
    assert_eq!(warning_codes(&r), ["DECIMAL_SEPARATOR_ASSUMED"]);
    assert!(r.warnings[0].message.contains("decimalSeparator"));
    let (d, r) = ok(text, &opts(json!({ "decimalSeparator": "comma" })));
    assert_eq!(orders(&d, "a")[0].1, dec("1.234"));
    assert_eq!(r.decimal_separator, Some(DecimalSeparator::Comma));
    assert!(r.warnings.is_empty());
    // The same with "1.234" in a semicolon file: read with a decimal point, and warned.
    let text = "customer;date;amount\na;01.02.2011;1.234\nb;03.02.2011;5\n";
    let (d, r) = ok(text, &default());
    assert_eq!(orders(&d, "a")[0].1, dec("1.234"));
    assert_eq!(warning_codes(&r), ["DECIMAL_SEPARATOR_ASSUMED"]);
    let (d, _) = ok(text, &opts(json!({ "decimalSeparator": "comma" })));
    assert_eq!(orders(&d, "a")[0].1, dec("1234"));
    // One amount with cents in the first rows settles it.
    let (d, r) = ok("customer;date;amount\na;01.02.2011;1.234\nb;03.02.2011;5,50\n", &default());
    assert_eq!(orders(&d, "a")[0].1, dec("1234"));
    assert_eq!(r.decimal_separator, Some(DecimalSeparator::Comma));
    assert!(r.warnings.is_empty());
}

#[test]
fn tab_and_pipe_files_are_sniffed_and_the_delimiter_can_be_set() {
    let tab = "customer\tdate\trevenue\na\t2011-01-01\t1,234.50\nb\t2011-01-02\t3\n";
    let (d, r) = ok(tab, &default());
    assert_eq!(r.delimiter, "tab");
    assert_eq!(header(&r, Role::Amount), Some("revenue"));
    assert_eq!(orders(&d, "a"), vec![(day("2011-01-01"), dec("1234.50"), false)]);
    let (_, r) = ok(tab, &opts(json!({ "delimiter": "\t" })));
    assert_eq!(r.delimiter, "tab");

    let pipe = "customer id|order id|created_at|total|sku|product name|category|utm_source\n\
                c1|o1|2011-01-01T10:00:00Z|10.00|S1|Shirt, blue|Apparel|google\n\
                c1|o1|2011-01-01T10:00:00Z|5.00|S2|Socks|Apparel|\n\
                c2|o2|2011-01-02T10:00:00Z|7.00|S1||Apparel|newsletter\n";
    let (d, r) = ok(pipe, &default());
    assert_eq!(r.delimiter, "|");
    for (role, h) in [
        (Role::CustomerId, "customer id"),
        (Role::OrderId, "order id"),
        (Role::Date, "created_at"),
        (Role::Amount, "total"),
        (Role::ProductId, "sku"),
        (Role::ProductName, "product name"),
        (Role::Category, "category"),
        (Role::Channel, "utm_source"),
    ] {
        assert_eq!(header(&r, role), Some(h), "{role:?}");
    }
    assert_eq!(orders(&d, "c1"), vec![(day("2011-01-01"), dec("15.00"), false)]);
    assert_eq!(orders(&d, "c2"), vec![(day("2011-01-02"), dec("7.00"), false)]);
    assert_eq!(names(d.channels.iter()), ["google", "newsletter"]);
    assert_eq!(names(d.categories.iter()), ["Apparel"]);
    assert_eq!(d.product_info[0].name.as_deref(), Some("Shirt, blue"), "the first name seen wins");
    assert_eq!(d.product_info[1].category, Some(0));
    let (_, r) = ok(pipe, &opts(json!({ "delimiter": "pipe" })));
    assert_eq!(r.delimiter, "|");
    // A wrong explicit delimiter leaves one column: nothing maps.
    let e = fail(pipe.as_bytes(), &opts(json!({ "delimiter": ";" })));
    assert_eq!(e.code, ErrorCode::MissingColumn);
    let e = fail(pipe.as_bytes(), &opts(json!({ "delimiter": "x" })));
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::OutOfRange, Some("delimiter")));
}

#[test]
fn quoted_fields_with_delimiters_quotes_and_newlines_keep_line_numbers() {
    let text = "customer_id,order_id,date,amount,product_name,product_id\n\
                c1,o1,2011-01-02,10.00,\"Mug, large\",P1\n\
                c1,o1,2011-01-02,5.00,\"He said \"\"hi\"\"\",P2\n\
                c2,o2,2011-01-03,7.00,\"two\nlines\r\nhere\",P3\n\
                c2,o3,2011-01-04,notanumber,plain,P4\n\
                \"c3\",\"o4\",\"2011-01-05\",\"1,000.00\",\"x\",\"P5\"\n\
                c3,o5,2011-01-06,1.00,\"never closed,P6\n\
                c3,o6,2011-01-07,1.00,after,P7\n";
    let (d, r) = ok(text, &default());
    assert_eq!(counts(&r), (6, 4, 2));
    assert_eq!(at(example(&r, 0)), (7, Some(4), Some("amount"), "INVALID_AMOUNT"));
    assert!(example(&r, 0).message.starts_with("line 7:"), "{}", example(&r, 0).message);
    // The unclosed quote swallows the rest of the file into one field.
    assert_eq!(at(example(&r, 1)), (9, Some(5), Some("product_name"), "MALFORMED_ROW"));
    let name = |p: &str| d.product_info[d.products.lookup(p).unwrap() as usize].name.as_deref().map(str::to_owned);
    assert_eq!(name("P1").as_deref(), Some("Mug, large"));
    assert_eq!(name("P2").as_deref(), Some("He said \"hi\""));
    assert_eq!(name("P3").as_deref(), Some("two\nlines\r\nhere"));
    assert_eq!(orders(&d, "c3"), vec![(day("2011-01-05"), dec("1000.00"), false)]);
}

#[test]
fn crlf_and_a_utf8_bom() {
    let text = "\u{feff}Customer ID,Order Date,Amount\r\nc1,2011-01-01,1.50\r\n\r\nc2,2011-01-02,oops\r\nc1,2011-01-03,2.50\r\n";
    let (d, r) = ok(text, &default());
    assert_eq!(r.headers, ["Customer ID", "Order Date", "Amount"]);
    assert_eq!(header(&r, Role::CustomerId), Some("Customer ID"));
    assert_eq!(counts(&r), (3, 2, 1));
    assert_eq!(at(example(&r, 0)), (4, Some(3), Some("Amount"), "INVALID_AMOUNT"));
    assert_eq!(orders(&d, "c1"), vec![(day("2011-01-01"), dec("1.50"), false), (day("2011-01-03"), dec("2.50"), false)]);
    assert_eq!(r.bytes, text.len() as u64);
}

#[test]
fn utf16_and_binary_files_are_refused() {
    let text = "customer,date,amount\nc1,2011-01-01,1\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for bytes in [le, be] {
        let e = fail(&bytes, &default());
        assert_eq!(e.code, ErrorCode::UnsupportedEncoding);
        assert!(e.message.contains("UTF-16"), "{}", e.message);
    }
    let mut xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00".to_vec();
    xlsx.extend_from_slice(b"[Content_Types].xml");
    xlsx.extend(std::iter::repeat_n(0u8, 300));
    let e = fail(&xlsx, &default());
    assert_eq!(e.code, ErrorCode::UnsupportedEncoding);
    assert!(e.message.contains("xlsx") && e.message.contains("CSV"), "{}", e.message);
    // Invalid UTF-8 in one field rejects that row only when the ingest needs the field.
    let bytes = b"customer,date,amount,note\nJos\xE9,2011-01-01,1,x\nann,2011-01-01,2,caf\xE9\n";
    let (d, r) = run(bytes, &default()).unwrap();
    assert_eq!(counts(&r), (2, 1, 1));
    assert_eq!(at(example(&r, 0)), (2, Some(1), Some("customer"), "MALFORMED_ROW"));
    assert!(example(&r, 0).message.contains("UTF-8"));
    assert_eq!(orders(&d, "ann"), vec![(day("2011-01-01"), dec("2"), false)]);
}

#[test]
fn empty_files_and_header_only_files() {
    for bytes in [&b""[..], b"\n\n\r\n", b"\xEF\xBB\xBF", b" , , \n"] {
        let e = fail(bytes, &default());
        assert_eq!(e.code, ErrorCode::EmptyFile, "{bytes:?}");
        assert!(e.message.contains("empty"), "{}", e.message);
    }
    for text in ["customer,date,amount", "customer,date,amount\n", "customer,date,amount\r\n\r\n,,\n"] {
        let e = fail(text.as_bytes(), &default());
        assert_eq!(e.code, ErrorCode::EmptyFile, "{text:?}");
        assert!(e.message.contains("no data rows"), "{}", e.message);
    }
}

// ---------------------------------------------------------------------------------------------
// Column mapping
// ---------------------------------------------------------------------------------------------

#[test]
fn missing_columns_list_the_headers_found() {
    let e = fail(b"Client,Day,Total\nx,2011-01-01,1\n", &default());
    assert_eq!(e.code, ErrorCode::MissingColumn);
    for part in ["customer", "date", "\"Client\", \"Day\", \"Total\"", "mapping"] {
        assert!(e.message.contains(part), "{part}: {}", e.message);
    }
    let e = fail(b"customer,date\nx,2011-01-01\n", &default());
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::MissingColumn, Some("mapping.amount")));
    let e = fail(b"customer,date,qty\nx,2011-01-01,1\n", &default());
    assert!(e.message.contains("unit price"), "{}", e.message);
}

#[test]
fn a_header_named_twice_for_one_role_is_refused() {
    let text = "Customer ID,Date,Amount,Date\na,2011-01-01,1,2011-01-02\n";
    let e = fail(text.as_bytes(), &default());
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::ConflictingFields, Some("mapping.date")));
    assert!(e.message.contains("mapping: { date: 1 }"), "{}", e.message);
    let (d, r) = ok(text, &opts(json!({ "mapping": { "date": 3 } })));
    assert_eq!(r.mapping.as_ref().unwrap().unmapped, vec!["Date"]);
    assert_eq!(orders(&d, "a")[0].0, day("2011-01-02"));
}

#[test]
fn rows_of_the_wrong_width_are_malformed() {
    let text = "customer,date,amount\na,2011-01-01,1,\nb,2011-01-02\nc,2011-01-03,3\n";
    let (_, r) = ok(text, &default());
    assert_eq!(counts(&r), (3, 1, 2));
    assert_eq!(at(example(&r, 0)), (2, None, None, "MALFORMED_ROW"));
    assert!(example(&r, 0).message.contains("4 fields where the header has 3"), "{}", example(&r, 0).message);
    assert_eq!(at(example(&r, 1)), (3, None, None, "MALFORMED_ROW"));
    // A trailing delimiter on every line, the header included, is a last empty column.
    let (d, r) = ok("customer,date,amount,\na,2011-01-01,1,\n", &default());
    assert_eq!(counts(&r), (1, 1, 0));
    assert_eq!(orders(&d, "a")[0].1, dec("1"));
    // Old Mac line ends (a lone CR).
    let (d, _) = ok("customer,date,amount\ra,2011-01-01,1\rb,2011-01-02,2", &default());
    assert_eq!(d.customers.len(), 2);
}

#[test]
fn header_synonyms_are_recognised() {
    let text = "Customer Email,InvoiceNo,InvoiceDate,Revenue,Qty,SKU,Description,Product Category,Source\n\
                a@x.com,1,2011-01-01,3.00,1,S,Socks,Apparel,ads\n";
    let (d, r) = ok(text, &default());
    assert_eq!(header(&r, Role::Email), Some("Customer Email"));
    assert_eq!(header(&r, Role::OrderId), Some("InvoiceNo"));
    assert_eq!(header(&r, Role::Date), Some("InvoiceDate"));
    assert_eq!(header(&r, Role::Amount), Some("Revenue"));
    assert_eq!(header(&r, Role::Quantity), Some("Qty"));
    assert_eq!(header(&r, Role::ProductId), Some("SKU"));
    assert_eq!(header(&r, Role::ProductName), Some("Description"));
    assert_eq!(header(&r, Role::Category), Some("Product Category"));
    assert_eq!(header(&r, Role::Channel), Some("Source"));
    assert_eq!(orders(&d, "a@x.com"), vec![(day("2011-01-01"), dec("3.00"), false)]);
    assert_eq!(names(d.channels.iter()), ["ads"]);
}

#[test]
fn an_explicit_mapping_overrides_by_name_index_and_null() {
    let text = "Client,Day,Total,E-Mail,Sku,Source\n\
                acme,2011-01-01,10,a@acme.com,S1,ads\n\
                acme,2011-01-02,5,a@acme.com,S2,ads\n\
                ,2011-01-03,7,b@b.com,S1,ads\n";
    let e = fail(text.as_bytes(), &default());
    assert_eq!(e.code, ErrorCode::MissingColumn);
    let options = opts(json!({
        "mapping": { "customerId": "Client", "date": 1, "email": null, "productId": "SKU", "channel": null }
    }));
    let (d, r) = ok(text, &options);
    let m = r.mapping.as_ref().unwrap();
    assert_eq!(m.get(Role::CustomerId), Some(0));
    assert_eq!(header(&r, Role::Date), Some("Day"));
    assert_eq!(header(&r, Role::Amount), Some("Total"), "auto-mapped around the overrides");
    assert_eq!(m.get(Role::Email), None);
    assert_eq!(m.get(Role::Channel), None);
    assert_eq!(header(&r, Role::ProductId), Some("Sku"));
    assert_eq!(m.unmapped, vec!["E-Mail", "Source"]);
    assert_eq!(orders(&d, "acme"), vec![(day("2011-01-01"), dec("10"), false), (day("2011-01-02"), dec("5"), false)]);
    assert!(d.channels.is_empty());
    // The email is unmapped, so the row without a client is rejected.
    assert_eq!(at(example(&r, 0)), (4, Some(1), Some("Client"), "MISSING_FIELD"));
    // With the email mapped, it stands in for the missing client.
    let options = opts(json!({ "mapping": { "customerId": "Client", "date": "Day" } }));
    let (d, r) = ok(text, &options);
    assert_eq!(header(&r, Role::Email), Some("E-Mail"));
    assert_eq!(orders(&d, "b@b.com"), vec![(day("2011-01-03"), dec("7"), false)]);
    // An override naming a missing column, or an out-of-range index.
    let e = fail(text.as_bytes(), &opts(json!({ "mapping": { "customerId": "Nope", "date": 1 } })));
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::MissingColumn, Some("mapping.customerId")));
    let e = fail(text.as_bytes(), &opts(json!({ "mapping": { "customerId": 0, "date": 9 } })));
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::MissingColumn, Some("mapping.date")));
    // Unknown options are refused.
    let e = TransactionIngest::new(&opts(json!({ "dateFromat": "dmy" }))).err().unwrap();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::UnknownField, Some("dateFromat")));
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

#[test]
fn date_formats() {
    let text = "customer,date,amount\n\
                a,2011-03-04,1\n\
                b,2011-03-04T10:15:00Z,1\n\
                c,2011-03-04T23:30:00-05:00,1\n\
                d,2011-03-04 10:15:00+01:00,1\n\
                e,20110304,1\n\
                f,04.03.2011,1\n\
                g,40606,1\n\
                h,40606.5,1\n\
                i,4 Mar 2011,1\n\
                j,\"Mar 4, 2011\",1\n\
                k,2011/03/04,1\n\
                l,04-Mar-11,1\n";
    let (d, r) = ok(text, &default());
    assert_eq!(counts(&r), (12, 12, 0));
    assert_eq!(r.date_format, None);
    for c in d.customers.iter() {
        assert_eq!(orders(&d, c), vec![(day("2011-03-04"), dec("1"), false)], "customer {c}");
    }
    // Slash dates: a day above 12 proves the order for the whole file.
    let dmy = "customer,date,amount\na,04/03/2011,1\nb,13/03/2011,1\nc,4/3/11,1\n";
    let (d, r) = ok(dmy, &default());
    assert_eq!(r.date_format, Some(DateOrder::Dmy));
    assert_eq!(orders(&d, "a")[0].0, day("2011-03-04"));
    assert_eq!(orders(&d, "b")[0].0, day("2011-03-13"));
    assert_eq!(orders(&d, "c")[0].0, day("2011-03-04"));
    let mdy = "customer,date,amount\na,03/04/2011 1:05 PM,1\nb,03/13/2011,1\n";
    let (d, r) = ok(mdy, &default());
    assert_eq!(r.date_format, Some(DateOrder::Mdy));
    assert_eq!(orders(&d, "a")[0].0, day("2011-03-04"));
}

#[test]
fn ambiguous_dates_need_the_date_format_option() {
    let text = "customer,date,amount\nc1,03/04/2011,1\nc2,05/06/2011,2\nc3,2011-01-01,3\n";
    let e = fail(text.as_bytes(), &default());
    assert_eq!(e.code, ErrorCode::AmbiguousDate);
    assert_eq!(e.field.as_deref(), Some("dateFormat"));
    assert!(e.message.contains("dateFormat"), "{}", e.message);
    let (d, r) = ok(text, &opts(json!({ "dateFormat": "dmy" })));
    assert_eq!(r.date_format, Some(DateOrder::Dmy));
    assert_eq!(orders(&d, "c1")[0].0, day("2011-04-03"));
    let (d, r) = ok(text, &opts(json!({ "dateFormat": "mdy" })));
    assert_eq!(r.date_format, Some(DateOrder::Mdy));
    assert_eq!(orders(&d, "c1")[0].0, day("2011-03-04"));
    // Strict mode does not change a file-level error.
    let e = fail(text.as_bytes(), &opts(json!({ "strict": true })));
    assert_eq!(e.code, ErrorCode::AmbiguousDate);
}

#[test]
fn dates_proving_both_orders_stop_the_file() {
    let text = "customer,date,amount\nc1,13/01/2011,1\nc2,01/13/2011,2\nc3,2011-01-05,3\n";
    let e = fail(text.as_bytes(), &default());
    assert_eq!(e.code, ErrorCode::AmbiguousDate);
    assert_eq!(e.field.as_deref(), Some("dateFormat"));
    assert!(e.message.contains("13/01/2011") && e.message.contains("01/13/2011"), "{}", e.message);
    // With the option, the rows written the other way are bad dates.
    let (d, r) = ok(text, &opts(json!({ "dateFormat": "dmy" })));
    assert_eq!(counts(&r), (3, 2, 1));
    assert_eq!(at(example(&r, 0)), (3, Some(2), Some("date"), "INVALID_DATE"));
    assert_eq!(orders(&d, "c1")[0].0, day("2011-01-13"));
}

#[test]
fn impossible_dates_are_row_errors() {
    let text = "customer,date,amount\n\
                a,0000-00-00,1\n\
                b,2011-02-30,1\n\
                c,9999-12-31,1\n\
                d,,1\n\
                e,yesterday,1\n\
                f,2011-02-28,1\n\
                g,2011-01-01 25:00,1\n\
                h,60,1\n";
    let (d, r) = ok(text, &default());
    assert_eq!(counts(&r), (8, 1, 7));
    assert_eq!(by_code(&r), BTreeMap::from([("INVALID_DATE", 7)]));
    let lines: Vec<_> = r.rows.error_examples.iter().map(|e| (e.line, e.column, e.header.as_deref())).collect();
    assert_eq!(
        lines,
        [2, 3, 4, 5, 6, 8, 9].map(|l| (l, Some(2), Some("date"))).to_vec()
    );
    assert!(example(&r, 0).message.contains("placeholder"), "{}", example(&r, 0).message);
    assert!(example(&r, 1).message.contains("2011-02-30"));
    assert!(example(&r, 2).message.contains("1900 to 2200"), "{}", example(&r, 2).message);
    assert!(example(&r, 3).message.contains("empty"));
    assert_eq!(names(d.customers.iter()), ["f"]);
}

// ---------------------------------------------------------------------------------------------
// Amounts
// ---------------------------------------------------------------------------------------------

const AMOUNTS: &str = "customer,date,amount
c1,2011-01-01,12.50
c2,2011-01-01,1e308
c3,2011-01-01,NaN
c4,2011-01-01,1.2.3
c5,2011-01-01,-0
c6,2011-01-01,(12.50)
c7,2011-01-01,\"$1,234.50\"
c8,2011-01-01,USD 5
c9,2011-01-01,5 EUR
c10,2011-01-01,\"€1.234,50\"
c11,2011-01-01,99999999999999999999999999999999
c12,2011-01-01,
c13,2011-01-01,0.1000000000000000000000000001
c14,2011-01-01,12.50-
";

#[test]
fn amount_edge_cases() {
    let (d, r) = ok(AMOUNTS, &default());
    assert_eq!(counts(&r), (14, 9, 5));
    assert_eq!(by_code(&r), BTreeMap::from([("INVALID_AMOUNT", 4), ("OVERFLOW", 1)]));
    let bad: Vec<_> = r.rows.error_examples.iter().map(|e| (e.line, e.code)).collect();
    assert_eq!(
        bad,
        [(3, "INVALID_AMOUNT"), (4, "INVALID_AMOUNT"), (5, "INVALID_AMOUNT"), (12, "OVERFLOW"), (13, "INVALID_AMOUNT")]
    );
    assert!(example(&r, 0).message.contains("scientific notation"));
    assert!(r.rows.error_examples.iter().all(|e| e.column == Some(3) && e.header.as_deref() == Some("amount")));
    let revenue = |c: &str| orders(&d, c)[0].1;
    assert_eq!(revenue("c1"), dec("12.50"));
    assert_eq!(orders(&d, "c5"), vec![(day("2011-01-01"), dec("0"), false)], "-0 is zero, not a return");
    assert!(!revenue("c5").is_sign_negative());
    assert_eq!(orders(&d, "c6"), vec![(day("2011-01-01"), dec("-12.50"), true)]);
    assert_eq!(revenue("c7"), dec("1234.50"));
    assert_eq!(revenue("c8"), dec("5"));
    assert_eq!(revenue("c9"), dec("5"));
    assert_eq!(revenue("c13"), dec("0.1000000000000000000000000001"), "exact to 28 places");
    assert_eq!(revenue("c14"), dec("-12.50"));
    assert_eq!(r.return_rows, 2);
    // "€1.234,50" proves a decimal comma while "$1,234.50" proves a decimal point: each value is
    // read by its own evidence, and the report says the file mixes both.
    assert_eq!(revenue("c10"), dec("1234.50"));
    assert_eq!(r.decimal_separator, None);
    assert_eq!(warning_codes(&r), ["DECIMAL_SEPARATOR_MIXED"]);
    // With the option set, the value in the other style is a row error.
    let (_, r) = ok(AMOUNTS, &opts(json!({ "decimalSeparator": "dot" })));
    assert_eq!(counts(&r), (14, 8, 6));
    let e = r.rows.error_examples.iter().find(|e| e.line == 11).unwrap();
    assert_eq!(e.code, "INVALID_AMOUNT");
    assert!(e.message.contains("decimal point"), "{}", e.message);
    assert!(r.warnings.is_empty());
}

#[test]
fn quantity_times_unit_price_when_there_is_no_amount_column() {
    let text = "customer,order,date,qty,price,sku\n\
                a,1,2011-01-01,3,2.50,X\n\
                a,1,2011-01-01,2,\"1,000.10\",Y\n\
                a,2,2011-01-02,,2.50,X\n\
                a,3,2011-01-03,1,abc,X\n\
                a,4,2011-01-04,1.5,2,X\n\
                a,5,2011-01-05,1e3,2,X\n";
    let (d, r) = ok(text, &default());
    assert_eq!(counts(&r), (6, 3, 3));
    assert_eq!(at(example(&r, 0)), (4, Some(4), Some("qty"), "MISSING_FIELD"));
    assert_eq!(at(example(&r, 1)), (5, Some(5), Some("price"), "INVALID_AMOUNT"));
    assert_eq!(at(example(&r, 2)), (7, Some(4), Some("qty"), "INVALID_AMOUNT"));
    assert_eq!(
        orders(&d, "a"),
        vec![(day("2011-01-01"), dec("2007.70"), false), (day("2011-01-04"), dec("3.0"), false)]
    );
    assert_eq!(
        lines(&d, "a")[0],
        vec![(Some("X".into()), dec("3"), dec("7.50")), (Some("Y".into()), dec("2"), dec("2000.20"))]
    );
    assert_eq!(d.items(&d.orders[0]).unwrap(), dec("5"));
}

// ---------------------------------------------------------------------------------------------
// Returns and cancellations
// ---------------------------------------------------------------------------------------------

const RETURNS: &str = "customer,order,date,quantity,unit price,sku
a,1,2011-01-01,2,5.00,X
a,1,2011-01-01,-1,5.00,X
a,2,2011-01-02,-1,5.00,X
b,C3,2011-01-03,1,4.00,Y
b,4,2011-01-03,3,4.00,Y
b,5,2011-01-04,-2,0,Y
";

#[test]
fn returns_are_netted_by_default() {
    let (d, r) = ok(RETURNS, &default());
    assert_eq!(r.returns, ReturnPolicy::Net);
    assert_eq!(counts(&r), (6, 6, 0));
    assert_eq!(r.return_rows, 4);
    // A return line inside a sale nets in; a return-only order is a return.
    assert_eq!(orders(&d, "a"), vec![(day("2011-01-01"), dec("5.00"), false), (day("2011-01-02"), dec("-5.00"), true)]);
    assert_eq!(lines(&d, "a")[0][1], (Some("X".into()), dec("-1"), dec("-5.00")));
    // A "C" invoice is a cancellation even with a positive quantity: it is negated.
    assert_eq!(
        orders(&d, "b"),
        vec![(day("2011-01-03"), dec("-4.00"), true), (day("2011-01-03"), dec("12.00"), false), (day("2011-01-04"), dec("0"), false)]
    );
    assert_eq!(lines(&d, "b")[0], vec![(Some("Y".into()), dec("-1"), dec("-4.00"))]);
    assert_eq!(d.items(&d.orders_of(1)[0]).unwrap(), dec("-1"));
}

#[test]
fn returns_can_be_dropped() {
    let (d, r) = ok(RETURNS, &opts(json!({ "returns": "drop" })));
    assert_eq!(r.returns, ReturnPolicy::Drop);
    // Still accepted rows, counted as returns, but not in the dataset.
    assert_eq!(counts(&r), (6, 6, 0));
    assert_eq!(r.return_rows, 4);
    assert_eq!(orders(&d, "a"), vec![(day("2011-01-01"), dec("10.00"), false)]);
    assert_eq!(orders(&d, "b"), vec![(day("2011-01-03"), dec("12.00"), false)]);
    assert_eq!((r.orders, r.lines), (2, 2));
    // A customer with only returns is not a customer.
    let (d, _) = ok("customer,date,amount\nx,2011-01-01,-5\ny,2011-01-01,5\n", &opts(json!({ "returns": "drop" })));
    assert_eq!(names(d.customers.iter()), ["y"]);
    assert!(serde_json::from_value::<IngestOptions>(json!({ "returns": "keep" })).is_err());
}

#[test]
fn negative_amounts_and_cancelled_statuses() {
    let text = "customer,order,date,amount,quantity,status\n\
                a,1,2011-01-01,10.00,1,completed\n\
                a,2,2011-01-02,-4.00,1,completed\n\
                a,3,2011-01-03,7.00,1,Cancelled\n\
                a,4,2011-01-04,8.00,1,Refunded\n\
                a,5,2011-01-05,9.00,1,payment failed\n\
                a,6,2011-01-06,-2.00,1,refunded\n\
                a,7,2011-01-07,3.00,1,Partially Refunded\n";
    let (d, r) = ok(text, &default());
    assert_eq!(counts(&r), (7, 7, 0));
    assert_eq!((r.return_rows, r.failed_rows), (4, 1));
    assert_eq!(
        orders(&d, "a"),
        vec![
            (day("2011-01-01"), dec("10.00"), false),
            (day("2011-01-02"), dec("-4.00"), true),
            (day("2011-01-03"), dec("0"), true),
            (day("2011-01-04"), dec("0"), true),
            (day("2011-01-06"), dec("-2.00"), true),
            (day("2011-01-07"), dec("3.00"), false),
        ]
    );
    assert_eq!(lines(&d, "a")[1], vec![(None, dec("-1"), dec("-4.00"))]);
    let (d, r) = ok(text, &opts(json!({ "returns": "drop" })));
    assert_eq!((r.return_rows, r.failed_rows), (4, 1));
    assert_eq!(orders(&d, "a"), vec![(day("2011-01-01"), dec("10.00"), false), (day("2011-01-07"), dec("3.00"), false)]);
}

// ---------------------------------------------------------------------------------------------
// Row errors, strict mode, orders
// ---------------------------------------------------------------------------------------------

#[test]
fn strict_mode_stops_at_the_first_bad_row_with_line_and_column() {
    let text = "customer,date,amount\na,2011-01-01,1\nb,2011-13-01,2\nc,2011-01-01\nd,2011-01-01,x\n";
    let e = fail(text.as_bytes(), &opts(json!({ "strict": true })));
    assert_eq!(e.code, ErrorCode::InvalidDate);
    assert_eq!((e.line, e.column), (Some(3), Some(2)));
    assert!(e.message.starts_with("line 3:"), "{}", e.message);
    // Without strict: the same rows are counted, in file order.
    let (_, r) = ok(text, &default());
    assert_eq!(counts(&r), (4, 1, 3));
    let found: Vec<_> = r.rows.error_examples.iter().map(at).collect();
    assert_eq!(
        found,
        [
            (3, Some(2), Some("date"), "INVALID_DATE"),
            (4, None, None, "MALFORMED_ROW"),
            (5, Some(3), Some("amount"), "INVALID_AMOUNT"),
        ]
    );
    // A malformed row first: strict stops there.
    let text = "customer,date,amount\na,2011-01-01,1\nb,2011-01-01,1,extra\nc,2011-13-01,2\n";
    let e = fail(text.as_bytes(), &opts(json!({ "strict": true })));
    assert_eq!((e.code, e.line, e.column), (ErrorCode::MalformedRow, Some(3), None));
    // A clean file passes in strict mode.
    let (_, r) = ok("customer,date,amount\na,2011-01-01,1\n", &opts(json!({ "strict": true })));
    assert_eq!(counts(&r), (1, 1, 0));
}

#[test]
fn error_examples_are_capped_but_counts_are_not() {
    let mut text = String::from("customer,date,amount\n");
    for i in 0..50 {
        text.push_str(&format!("c{i},2011-01-01,{}\n", if i % 2 == 0 { "bad" } else { "1" }));
    }
    let (_, r) = ok(&text, &default());
    assert_eq!(counts(&r), (50, 25, 25));
    assert_eq!(r.rows.error_examples.len(), 20);
    assert_eq!(example(&r, 19).line, 40);
    let (_, r) = ok(&text, &opts(json!({ "maxErrorExamples": 3 })));
    assert_eq!(r.rows.error_examples.len(), 3);
    assert_eq!(r.rows.rejected_rows, 25);
}

#[test]
fn order_lines_that_conflict_are_rejected() {
    let text = "customer,order,date,amount\n\
                a,1,2011-01-01,1\n\
                b,1,2011-01-01,2\n\
                a,1,2011-01-02,3\n\
                a,1,2011-01-01,4\n";
    let (d, r) = ok(text, &default());
    assert_eq!(counts(&r), (4, 2, 2));
    assert_eq!(at(example(&r, 0)), (3, Some(1), Some("customer"), "CONFLICTING_FIELDS"));
    assert_eq!(at(example(&r, 1)), (4, Some(3), Some("date"), "CONFLICTING_FIELDS"));
    assert!(example(&r, 0).message.starts_with("line 3:"), "{}", example(&r, 0).message);
    assert!(example(&r, 0).message.contains("order 1"));
    assert_eq!(orders(&d, "a"), vec![(day("2011-01-01"), dec("5"), false)]);
    assert!(d.customers.lookup("b").is_none(), "a rejected row leaves no customer behind");
}

#[test]
fn duplicate_order_lines_are_kept_and_reported() {
    let text = "customer,order,date,amount,sku\n\
                a,1,2011-01-01,2.50,X\n\
                a,1,2011-01-01,2.50,X\n\
                a,1,2011-01-01,2.50,Y\n\
                a,2,2011-01-02,2.50,X\n";
    let (d, r) = ok(text, &default());
    assert_eq!(counts(&r), (4, 4, 0));
    assert_eq!(orders(&d, "a"), vec![(day("2011-01-01"), dec("7.50"), false), (day("2011-01-02"), dec("2.50"), false)]);
    assert_eq!(lines(&d, "a")[0].len(), 3);
    assert_eq!(warning_codes(&r), ["DUPLICATE_LINES"]);
    assert!(r.warnings[0].message.contains("1 line"), "{}", r.warnings[0].message);
}

#[test]
fn without_an_order_id_a_customers_day_is_one_order() {
    let text = "customer,date,amount\n\
                a,2011-01-01 09:00,1.00\n\
                b,2011-01-01,2.00\n\
                a,2011-01-01 17:30,3.00\n\
                a,2011-01-02,4.00\n";
    let (d, r) = ok(text, &default());
    assert_eq!(header(&r, Role::OrderId), None);
    assert_eq!(orders(&d, "a"), vec![(day("2011-01-01"), dec("4.00"), false), (day("2011-01-02"), dec("4.00"), false)]);
    assert_eq!(orders(&d, "b"), vec![(day("2011-01-01"), dec("2.00"), false)]);
    assert_eq!((r.orders, r.lines), (3, 4));
    assert_eq!(d.items(&d.orders[0]).unwrap(), dec("2"), "a line without quantity counts 1");
}

// ---------------------------------------------------------------------------------------------
// Chunking and size
// ---------------------------------------------------------------------------------------------

/// A UCI-like file of `rows` rows whose dates stay ambiguous (12/1 … 12/12) until `proof`, with a
/// bad row every 97 rows and a multi-line quoted description every 89.
fn big_file(rows: usize, proof: usize) -> String {
    let mut text = String::from("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\r\n");
    for i in 0..rows {
        // The three rows of an invoice share its date.
        let j = i / 3;
        let date = if j * 3 >= proof { format!("12/{}/2010 9:{:02}", 13 + j % 15, i % 60) } else { format!("12/{}/2010 8:{:02}", 1 + j % 12, i % 60) };
        let description = if i % 89 == 0 { "\"LINE ONE\nLINE, TWO\"".to_owned() } else { format!("ITEM {}", i % 31) };
        let quantity = if i % 97 == 5 { "x".to_owned() } else if i % 13 == 0 { "-1".to_owned() } else { (1 + i % 7).to_string() };
        let invoice = if i % 13 == 0 { format!("C{}", 500_000 + i / 3) } else { (500_000 + i / 3).to_string() };
        text.push_str(&format!(
            "{invoice},{},{description},{quantity},{date},{}.{:02},{},United Kingdom\r\n",
            20_000 + i % 50,
            i % 9,
            i % 100,
            10_000 + (i / 3) % 200
        ));
    }
    text
}

#[test]
fn the_same_result_for_any_chunking() {
    // `run` compares every chunk size; these files exercise it further.
    for text in [UCI, SHOPIFY, STRIPE, WOOCOMMERCE, AMOUNTS, RETURNS] {
        let (_, whole) = ok(text, &default());
        for size in [5, 11, 13] {
            let (_, r) = ingest_bytes(text.as_bytes(), &default(), size).unwrap();
            assert_eq!(r, whole);
        }
    }
    let text = big_file(2_500, 2_200);
    let (d, r) = ok(&text, &default());
    assert_eq!(r.date_format, Some(DateOrder::Mdy), "proved after the first 1000 rows");
    assert_eq!(r.rows.total_rows, 2_500);
    let bad = (0..2_500).filter(|i| i % 97 == 5).count() as u64;
    assert_eq!(r.rows.rejected_rows, bad);
    assert_eq!(by_code(&r), BTreeMap::from([("INVALID_AMOUNT", bad)]));
    // Line numbers count the quoted line breaks.
    let line_of = |row: usize| 2 + row + (0..row).filter(|i| i % 89 == 0).count();
    assert_eq!(example(&r, 0).line, line_of(5) as u64);
    assert_eq!(example(&r, 3).line, line_of(5 + 3 * 97) as u64);
    assert_eq!(r.return_rows, (0..2_500).filter(|i| i % 13 == 0 && i % 97 != 5).count() as u64);
    assert!(d.orders.iter().all(|o| o.day >= day("2010-12-01") && o.day <= day("2010-12-27")));
    // Strict mode stops at the first bad row in file order, though it was held in the sample.
    let e = fail(text.as_bytes(), &opts(json!({ "strict": true })));
    assert_eq!((e.code, e.line, e.column), (ErrorCode::InvalidAmount, Some(line_of(5) as u64), Some(4)));
}

#[test]
fn the_ingest_can_be_driven_chunk_by_chunk() {
    let text = big_file(1_200, 0);
    let mut ingest = TransactionIngest::new(&default()).unwrap();
    let mut last = (0, 0);
    for chunk in text.as_bytes().chunks(1000) {
        ingest.feed(chunk).unwrap();
        let progress = ingest.progress();
        assert!(progress.0 > last.0 && progress.1 >= last.1);
        last = progress;
    }
    assert_eq!(last.0, text.len() as u64);
    let (d, r) = ingest.finish().unwrap();
    assert_eq!(r.rows.total_rows, 1_200);
    assert_eq!(r.date_format, Some(DateOrder::Mdy));
    check_report(&d, &r);
    // A fatal error stops the ingest: later feeds say so.
    let mut ingest = TransactionIngest::new(&opts(json!({ "strict": true }))).unwrap();
    let e = ingest.feed(b"customer,date,amount\na,2011-01-01,x\n").and_then(|()| ingest.feed(b"b,2011-01-01,1\n"));
    let e = e.err().or_else(|| ingest.finish().err()).unwrap();
    assert_eq!((e.code, e.line), (ErrorCode::InvalidAmount, Some(2)));
}

#[test]
fn ambiguous_dates_held_past_the_sample_then_proved() {
    // 1500 ambiguous rows, then one that proves day first: all are read day first.
    let mut text = String::from("customer,date,amount\n");
    for i in 0..1_500 {
        text.push_str(&format!("c{},{:02}/{:02}/2011,1\n", i % 40, 1 + i % 12, 1 + i % 12 + usize::from(i % 12 < 11)));
    }
    text.push_str("z,25/12/2011,1\n");
    let (d, r) = ok(&text, &default());
    assert_eq!(r.date_format, Some(DateOrder::Dmy));
    assert_eq!(counts(&r), (1_501, 1_501, 0));
    // c0's first row: 01/02/2011 = 1 February.
    assert_eq!(orders(&d, "c0")[0].0, day("2011-02-01"));
    // An ISO file that turns ambiguous after the sample holds rows again, then fails at the end.
    let mut text = String::from("customer,date,amount\n");
    for i in 0..1_200 {
        text.push_str(&format!("c{i},2011-01-01,1\n"));
    }
    text.push_str("late,03/04/2011,1\n");
    let e = fail(text.as_bytes(), &default());
    assert_eq!(e.code, ErrorCode::AmbiguousDate);
    let (d, _) = ok(&text, &opts(json!({ "dateFormat": "dmy" })));
    assert_eq!(orders(&d, "late")[0].0, day("2011-04-03"));
}

#[test]
fn orders_after_today_are_kept_with_a_warning() {
    let text = b"customer,date,amount\na,2024-01-05,10\na,2099-06-01,10\nb,2099-07-02,5\nb,2024-02-01,5\n";
    let options = IngestOptions { today: Some("2026-11-23".into()), ..IngestOptions::default() };
    let (data, report) = run(text, &options).unwrap();
    assert_eq!((report.rows.accepted_rows, data.orders.len()), (4, 4));
    let w: Vec<_> = report.warnings.iter().filter(|w| w.code == "FUTURE_DATES").collect();
    assert_eq!(w.len(), 1, "{:?}", report.warnings);
    assert!(w[0].message.starts_with("2 orders are dated after today (2026-11-23), the latest 2099-07-02"), "{}", w[0].message);
    // Without `today`, or with every order on or before it, no warning.
    let (_, report) = run(text, &IngestOptions::default()).unwrap();
    assert!(report.warnings.iter().all(|w| w.code != "FUTURE_DATES"));
    let options = IngestOptions { today: Some("2099-07-02".into()), ..IngestOptions::default() };
    assert!(run(text, &options).unwrap().1.warnings.is_empty());
    let options = IngestOptions { today: Some("23/11/2026".into()), ..IngestOptions::default() };
    let e = run(text, &options).unwrap_err();
    assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidDate, Some("today")));
}
