//! Column mapping: which header of a transaction export plays which role (customer, date, amount…),
//! found from synonym lists, overridden by the caller, and checked for the columns the ingest needs.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode};

/// What a column means to the ingest. The serde names are the keys of the JS `mapping` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    CustomerId,
    Email,
    OrderId,
    Date,
    Amount,
    Quantity,
    UnitPrice,
    ProductId,
    ProductName,
    Category,
    Channel,
    Status,
}

impl Role {
    pub const ALL: [Role; 12] = [
        Role::CustomerId,
        Role::Email,
        Role::OrderId,
        Role::Date,
        Role::Amount,
        Role::Quantity,
        Role::UnitPrice,
        Role::ProductId,
        Role::ProductName,
        Role::Category,
        Role::Channel,
        Role::Status,
    ];

    /// The key in the JS `mapping` option, e.g. `"customerId"`.
    pub fn key(self) -> &'static str {
        match self {
            Role::CustomerId => "customerId",
            Role::Email => "email",
            Role::OrderId => "orderId",
            Role::Date => "date",
            Role::Amount => "amount",
            Role::Quantity => "quantity",
            Role::UnitPrice => "unitPrice",
            Role::ProductId => "productId",
            Role::ProductName => "productName",
            Role::Category => "category",
            Role::Channel => "channel",
            Role::Status => "status",
        }
    }

    /// Headers recognised for the role, most preferred first; compared after [`normalize_header`].
    /// No header is listed under two roles.
    pub fn synonyms(self) -> &'static [&'static str] {
        match self {
            Role::CustomerId => &[
                "customer id",
                "customer",
                "client id",
                "user id",
                "customer user id",
                "buyer id",
                "account id",
                "customer number",
                "customer no",
                "customer code",
                "cust id",
                "member id",
                "contact id",
                "shopper id",
            ],
            Role::Email => &[
                "email",
                "customer email",
                "billing email",
                "email address",
                "customer email address",
                "buyer email",
                "user email",
                "contact email",
            ],
            // "name" is Shopify's order column ("#1001"): only taken when the file looks like a
            // Shopify export (see `looks_like_shopify`), and after every better order column.
            Role::OrderId => &[
                "order id",
                "order number",
                "order no",
                "order #",
                "order",
                "order name",
                "transaction id",
                "charge id",
                "sales order",
                "name",
                "id",
                "invoice no",
                "invoice",
                "invoice number",
                "invoice id",
                "invoice #",
                "receipt id",
            ],
            Role::Date => &[
                "date",
                "invoice date",
                "order date",
                "transaction date",
                "purchase date",
                "sale date",
                "created at",
                "created",
                "created (utc)",
                "created date",
                "date created",
                "order created at",
                "order created",
                "order datetime",
                "datetime",
                "timestamp",
                "paid at",
                "payment date",
                "paid date",
            ],
            Role::Amount => &[
                "amount",
                "total",
                "revenue",
                "order total",
                "order total amount",
                "line total",
                "total amount",
                "total price",
                "sales",
                "sales amount",
                "sale amount",
                "amount (usd)",
                "net sales",
                "gross sales",
                "net amount",
                "order amount",
                "order value",
                "grand total",
                "charge amount",
                "value",
            ],
            Role::Quantity => &[
                "quantity",
                "qty",
                "lineitem quantity",
                "units",
                "quantity ordered",
                "item quantity",
                "qty ordered",
                "units sold",
            ],
            Role::UnitPrice => &[
                "unit price",
                "price",
                "lineitem price",
                "item price",
                "item cost",
                "price each",
                "sale price",
                "selling price",
                "price per unit",
            ],
            Role::ProductId => &[
                "product id",
                "sku",
                "stockcode",
                "item id",
                "lineitem sku",
                "product code",
                "item sku",
                "product sku",
                "variant sku",
                "item code",
                "item number",
                "article number",
            ],
            Role::ProductName => &[
                "product name",
                "description",
                "product",
                "item",
                "lineitem name",
                "title",
                "item name",
                "product title",
                "item description",
                "product description",
            ],
            Role::Category => &[
                "category",
                "product category",
                "product type",
                "department",
                "item category",
                "category name",
                "product group",
            ],
            Role::Channel => &[
                "channel",
                "source",
                "utm source",
                "acquisition channel",
                "marketing channel",
                "sales channel",
                "referring site",
                "source name",
                "order source",
                "referrer",
            ],
            Role::Status => &[
                "status",
                "financial status",
                "order status",
                "payment status",
                "transaction status",
            ],
        }
    }

    /// The role in words, for messages.
    fn describe(self) -> &'static str {
        match self {
            Role::CustomerId => "customer id",
            Role::Email => "email",
            Role::OrderId => "order id",
            Role::Date => "date",
            Role::Amount => "amount",
            Role::Quantity => "quantity",
            Role::UnitPrice => "unit price",
            Role::ProductId => "product id",
            Role::ProductName => "product name",
            Role::Category => "category",
            Role::Channel => "channel",
            Role::Status => "status",
        }
    }

    fn position(self) -> usize {
        Role::ALL.iter().position(|&r| r == self).unwrap_or(0)
    }
}

/// How the caller names a column for a role. From JSON/JS: a string is a header, a number a
/// 0-based index, `null` leaves the role unmapped.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ColumnRef {
    /// A header name: exact first, else compared after [`normalize_header`].
    Name(String),
    /// A 0-based column index.
    Index(usize),
    /// Explicitly unmapped: the role is not auto-mapped either.
    None,
}

/// One mapped column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MappedColumn {
    /// 0-based.
    pub index: usize,
    pub header: String,
}

/// The column chosen for each role (`null` when none), and the headers left unused, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mapping {
    pub customer_id: Option<MappedColumn>,
    pub email: Option<MappedColumn>,
    pub order_id: Option<MappedColumn>,
    pub date: Option<MappedColumn>,
    pub amount: Option<MappedColumn>,
    pub quantity: Option<MappedColumn>,
    pub unit_price: Option<MappedColumn>,
    pub product_id: Option<MappedColumn>,
    pub product_name: Option<MappedColumn>,
    pub category: Option<MappedColumn>,
    pub channel: Option<MappedColumn>,
    pub status: Option<MappedColumn>,
    pub unmapped: Vec<String>,
}

impl Mapping {
    /// The 0-based column of `role`.
    pub fn get(&self, role: Role) -> Option<usize> {
        self.column(role).map(|c| c.index)
    }

    /// The column of `role`, with its header.
    pub fn column(&self, role: Role) -> Option<&MappedColumn> {
        match role {
            Role::CustomerId => self.customer_id.as_ref(),
            Role::Email => self.email.as_ref(),
            Role::OrderId => self.order_id.as_ref(),
            Role::Date => self.date.as_ref(),
            Role::Amount => self.amount.as_ref(),
            Role::Quantity => self.quantity.as_ref(),
            Role::UnitPrice => self.unit_price.as_ref(),
            Role::ProductId => self.product_id.as_ref(),
            Role::ProductName => self.product_name.as_ref(),
            Role::Category => self.category.as_ref(),
            Role::Channel => self.channel.as_ref(),
            Role::Status => self.status.as_ref(),
        }
    }

    /// The column identifying the customer: the customer id when mapped, else the email.
    pub fn customer(&self) -> Option<(Role, usize)> {
        self.get(Role::CustomerId)
            .map(|i| (Role::CustomerId, i))
            .or_else(|| self.get(Role::Email).map(|i| (Role::Email, i)))
    }

    fn slot(&mut self, role: Role) -> &mut Option<MappedColumn> {
        match role {
            Role::CustomerId => &mut self.customer_id,
            Role::Email => &mut self.email,
            Role::OrderId => &mut self.order_id,
            Role::Date => &mut self.date,
            Role::Amount => &mut self.amount,
            Role::Quantity => &mut self.quantity,
            Role::UnitPrice => &mut self.unit_price,
            Role::ProductId => &mut self.product_id,
            Role::ProductName => &mut self.product_name,
            Role::Category => &mut self.category,
            Role::Channel => &mut self.channel,
            Role::Status => &mut self.status,
        }
    }
}

/// A header as compared with synonyms: lowercase, without whitespace, `_`, `-`, `.`, `"`, a BOM or
/// zero-width spaces ("Customer ID", "customer_id", "CustomerID" → "customerid").
pub fn normalize_header(header: &str) -> String {
    header
        .chars()
        .filter(|&c| {
            !(c.is_whitespace() || matches!(c, '_' | '-' | '.' | '"' | '\u{feff}' | '\u{200b}'))
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// A normalised header without its bracketed parts: "amount(eur)" → "amount".
fn strip_brackets(normalized: &str) -> String {
    let mut depth = 0usize;
    let mut out = String::with_capacity(normalized.len());
    for c in normalized.chars() {
        match c {
            '(' | '[' => depth = depth.saturating_add(1),
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A Shopify orders export: only there is a "Name" column the order number.
fn looks_like_shopify(normalized: &[String]) -> bool {
    normalized
        .iter()
        .any(|h| h.starts_with("lineitem") || h == "financialstatus")
}

/// How well a normalised header fits `role`: (tier, rank), lower is better. Tier 0 is an exact
/// synonym, tier 1 a synonym once bracketed parts are dropped ("Total (EUR)"); rank is the
/// synonym's place in the preference list.
fn fit(role: Role, normalized: &str, shopify: bool) -> Option<(u8, usize)> {
    let rank_of = |header: &str| {
        role.synonyms().iter().position(|synonym| {
            let allowed = shopify || role != Role::OrderId || *synonym != "name";
            allowed && normalize_header(synonym) == header
        })
    };
    if let Some(rank) = rank_of(normalized) {
        return Some((0, rank));
    }
    let stripped = strip_brackets(normalized);
    if stripped.is_empty() || stripped == normalized {
        return None;
    }
    rank_of(&stripped).map(|rank| (1, rank))
}

/// Maps `headers` to roles: first the caller's `overrides`, then the best synonym match for each
/// remaining role among the columns not yet taken.
///
/// Choices:
/// - A column serves one role at most; an override takes its column before auto-mapping runs.
/// - Exact synonyms beat bracket-stripped ones, then the synonym list's order decides, so e.g.
///   "Order ID" beats Shopify's "Name" and "Created at" beats "Paid at".
/// - Both a customer id and an email are mapped when present; [`Mapping::customer`] prefers the id.
/// - Two columns tying for a role (the same header twice) → `ErrorCode::ConflictingFields` with
///   field `mapping.<role>`, asking to map by index; duplicates no role wants are fine.
/// - Required: a customer (`customerId` or `email`), a `date`, and an `amount` or both `quantity`
///   and `unitPrice`; else `ErrorCode::MissingColumn` naming what is missing, the headers found and
///   an example `mapping` option.
pub fn auto_map(headers: &[&str], overrides: &[(Role, ColumnRef)]) -> Result<Mapping, Error> {
    let normalized: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
    let mut taken: Vec<Option<Role>> = vec![None; headers.len()];
    let mut decided = [false; Role::ALL.len()];
    let mut mapping = Mapping::default();

    for (role, column) in overrides {
        let field = format!("mapping.{}", role.key());
        let seen = decided.get_mut(role.position());
        if seen.as_deref() == Some(&true) {
            let message = format!("{field} is given twice");
            return Err(Error::new(ErrorCode::ConflictingFields, message).with_field(field));
        }
        if let Some(seen) = seen {
            *seen = true;
        }
        let index = match column {
            ColumnRef::None => continue,
            ColumnRef::Index(index) => {
                if *index >= headers.len() {
                    let message = format!(
                        "{field} is column index {index} (0-based), but the file has only {} columns: {}",
                        headers.len(),
                        list_headers(headers)
                    );
                    return Err(Error::new(ErrorCode::MissingColumn, message).with_field(field));
                }
                *index
            }
            ColumnRef::Name(name) => find_by_name(headers, &normalized, name, &field)?,
        };
        if let Some(Some(other)) = taken.get(index) {
            let message = format!(
                "mapping.{} and {field} both name the column {:?}; a column can serve one role only",
                other.key(),
                header_at(headers, index)
            );
            return Err(Error::new(ErrorCode::ConflictingFields, message).with_field(field));
        }
        assign(&mut mapping, &mut taken, headers, *role, index);
    }

    let shopify = looks_like_shopify(&normalized);
    for role in Role::ALL {
        if decided.get(role.position()) == Some(&true) {
            continue;
        }
        if let Some(index) = best_column(role, headers, &normalized, &taken, shopify)? {
            assign(&mut mapping, &mut taken, headers, role, index);
        }
    }

    mapping.unmapped = headers
        .iter()
        .zip(&taken)
        .filter(|(_, role)| role.is_none())
        .map(|(h, _)| (*h).to_owned())
        .collect();
    check_required(&mapping, headers)?;
    Ok(mapping)
}

fn header_at<'h>(headers: &[&'h str], index: usize) -> &'h str {
    headers.get(index).copied().unwrap_or("")
}

fn assign(
    mapping: &mut Mapping,
    taken: &mut [Option<Role>],
    headers: &[&str],
    role: Role,
    index: usize,
) {
    if let Some(slot) = taken.get_mut(index) {
        *slot = Some(role);
    }
    *mapping.slot(role) = Some(MappedColumn {
        index,
        header: header_at(headers, index).to_owned(),
    });
}

/// The column named `name` for an override: an exact header first, else a normalised match.
fn find_by_name(
    headers: &[&str],
    normalized: &[String],
    name: &str,
    field: &str,
) -> Result<usize, Error> {
    let exact: Vec<usize> = (0..headers.len())
        .filter(|&i| header_at(headers, i) == name)
        .collect();
    let candidates = if exact.is_empty() {
        let wanted = normalize_header(name);
        (0..headers.len())
            .filter(|&i| !wanted.is_empty() && normalized.get(i) == Some(&wanted))
            .collect()
    } else {
        exact
    };
    match candidates.as_slice() {
        [index] => Ok(*index),
        [] => {
            let message = format!(
                "{field} names the column {name:?}, but the file has no such column; columns found: {}",
                list_headers(headers)
            );
            Err(Error::new(ErrorCode::MissingColumn, message).with_field(field))
        }
        [first, ..] => Err(duplicate_error(headers, &candidates, *first, field)),
    }
}

fn duplicate_error(headers: &[&str], candidates: &[usize], first: usize, field: &str) -> Error {
    let indices = candidates
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" and ");
    let names: Vec<&str> = candidates.iter().map(|&i| header_at(headers, i)).collect();
    let same = names.windows(2).all(|w| w.first() == w.get(1));
    let what = if same {
        let count = match candidates.len() {
            2 => "two".to_owned(),
            n => n.to_string(),
        };
        format!("{count} columns are named {:?}", header_at(headers, first))
    } else {
        format!("the columns {} are alike", list_headers(&names))
    };
    let key = field.strip_prefix("mapping.").unwrap_or(field);
    let message = format!(
        "{what} (0-based indices {indices}); map by index, e.g. mapping: {{ {key}: {first} }}"
    );
    Error::new(ErrorCode::ConflictingFields, message).with_field(field)
}

/// The free column fitting `role` best, if any; an error when two tie.
fn best_column(
    role: Role,
    headers: &[&str],
    normalized: &[String],
    taken: &[Option<Role>],
    shopify: bool,
) -> Result<Option<usize>, Error> {
    let mut best: Option<(u8, usize)> = None;
    let mut columns: Vec<usize> = Vec::new();
    for (index, header) in normalized.iter().enumerate() {
        if taken.get(index).is_some_and(Option::is_some) {
            continue;
        }
        let Some(score) = fit(role, header, shopify) else {
            continue;
        };
        match best {
            Some(b) if score > b => {}
            Some(b) if score == b => columns.push(index),
            _ => {
                best = Some(score);
                columns = vec![index];
            }
        }
    }
    match columns.as_slice() {
        [] => Ok(None),
        [index] => Ok(Some(*index)),
        [first, ..] => Err(duplicate_error(
            headers,
            &columns,
            *first,
            &format!("mapping.{}", role.key()),
        )),
    }
}

fn check_required(mapping: &Mapping, headers: &[&str]) -> Result<(), Error> {
    let mut missing: Vec<(Role, String)> = Vec::new();
    if mapping.customer().is_none() {
        missing.push((
            Role::CustomerId,
            "the customer (customerId, or email)".to_owned(),
        ));
    }
    if mapping.date.is_none() {
        missing.push((Role::Date, "the date (date)".to_owned()));
    }
    if mapping.amount.is_none() {
        let what = match (&mapping.quantity, &mapping.unit_price) {
            (Some(_), Some(_)) => None,
            (Some(q), None) => Some(format!(
                "the amount (amount), or a unit price (unitPrice) to go with the quantity column {:?}",
                q.header
            )),
            (None, Some(p)) => Some(format!(
                "the amount (amount), or a quantity (quantity) to go with the unit price column {:?}",
                p.header
            )),
            (None, None) => Some(
                "the amount (amount), or a quantity (quantity) and a unit price (unitPrice)"
                    .to_owned(),
            ),
        };
        if let Some(what) = what {
            missing.push((Role::Amount, what));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let field = match missing.as_slice() {
        [(role, _)] => format!("mapping.{}", role.key()),
        _ => "mapping".to_owned(),
    };
    let example = missing
        .iter()
        .map(|(role, _)| {
            let sample = match role {
                Role::CustomerId => "Client",
                Role::Date => "Day",
                _ => "Total",
            };
            format!("{}: \"{sample}\"", role.key())
        })
        .collect::<Vec<_>>()
        .join(", ");
    let what = missing
        .iter()
        .map(|(_, what)| what.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let message = format!(
        "no column was recognised for {what}. Columns found: {}. Name the columns in the mapping \
         option, by header or 0-based index, e.g. mapping: {{ {example} }}",
        list_headers(headers)
    );
    Err(Error::new(ErrorCode::MissingColumn, message).with_field(field))
}

/// Headers quoted and listed for a message, at most 40 of them.
fn list_headers(headers: &[&str]) -> String {
    const SHOWN: usize = 40;
    if headers.is_empty() {
        return "none".to_owned();
    }
    let mut list = headers
        .iter()
        .take(SHOWN)
        .map(|h| format!("{h:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    if headers.len() > SHOWN {
        list.push_str(&format!(
            " and {} more",
            headers.len().saturating_sub(SHOWN)
        ));
    }
    list
}

/// The role in words ("unit price").
impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(headers: &str) -> Vec<&str> {
        headers.split(',').collect()
    }

    fn map(headers: &str) -> Result<Mapping, Error> {
        auto_map(&split(headers), &[])
    }

    fn header(m: &Mapping, role: Role) -> Option<&str> {
        m.column(role).map(|c| c.header.as_str())
    }

    const SHOPIFY: &str = "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,\
Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,\
Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,\
Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,\
Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,\
Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,\
Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,\
Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,\
Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,\
Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Phone,Receipt Number,Duties,Billing Province Name,\
Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References";

    const STRIPE: &str = "id,Description,Seller Message,Created (UTC),Amount,Amount Refunded,Currency,\
Converted Amount,Converted Amount Refunded,Fee,Tax,Converted Currency,Mode,Status,Statement Descriptor,\
Customer ID,Customer Description,Customer Email,Captured,Card ID,Card Last4,Card Brand,Card Funding,\
Card Exp Month,Card Exp Year,Card Name,Card Address Country,Card Issue Country,Card Fingerprint,\
Card CVC Status,Disputed Amount,Dispute Status,Dispute Reason,Dispute Date,Invoice ID,Invoice Number,\
Checkout Session ID,Payment Source Type,Destination,Transfer,Transfer Group,PaymentIntent ID";

    const WOOCOMMERCE: &str = "Order ID,Order Number,Order Date,Order Status,Customer User ID,\
Billing First Name,Billing Last Name,Billing Email,Billing Phone,Order Total Amount,\
Order Shipping Amount,Payment Method Title,Item #,Item SKU,Item Name,Quantity,Item Cost,Coupon Code,\
Discount Amount";

    #[test]
    fn uci_online_retail() {
        let m = map(
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country",
        )
        .unwrap();
        assert_eq!(m.get(Role::OrderId), Some(0));
        assert_eq!(m.get(Role::ProductId), Some(1));
        assert_eq!(m.get(Role::ProductName), Some(2));
        assert_eq!(m.get(Role::Quantity), Some(3));
        assert_eq!(m.get(Role::Date), Some(4));
        assert_eq!(m.get(Role::UnitPrice), Some(5));
        assert_eq!(m.get(Role::CustomerId), Some(6));
        assert_eq!(m.get(Role::Amount), None);
        assert_eq!(m.get(Role::Email), None);
        assert_eq!(m.unmapped, vec!["Country"]);
        assert_eq!(m.customer(), Some((Role::CustomerId, 6)));
        // Online Retail II spells three of them differently.
        let m = map("Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country")
            .unwrap();
        assert_eq!(
            (
                m.get(Role::OrderId),
                m.get(Role::UnitPrice),
                m.get(Role::CustomerId)
            ),
            (Some(0), Some(5), Some(6))
        );
    }

    #[test]
    fn shopify_orders_export() {
        let m = map(SHOPIFY).unwrap();
        assert_eq!(header(&m, Role::OrderId), Some("Name"));
        assert_eq!(header(&m, Role::Email), Some("Email"));
        assert_eq!(header(&m, Role::CustomerId), None);
        assert_eq!(m.customer(), Some((Role::Email, 1)));
        assert_eq!(header(&m, Role::Date), Some("Created at"));
        assert_eq!(header(&m, Role::Amount), Some("Total"));
        assert_eq!(header(&m, Role::Quantity), Some("Lineitem quantity"));
        assert_eq!(header(&m, Role::UnitPrice), Some("Lineitem price"));
        assert_eq!(header(&m, Role::ProductId), Some("Lineitem sku"));
        assert_eq!(header(&m, Role::ProductName), Some("Lineitem name"));
        assert_eq!(header(&m, Role::Status), Some("Financial Status"));
        assert_eq!(header(&m, Role::Channel), Some("Source"));
        assert_eq!(header(&m, Role::Category), None);
        assert!(m.unmapped.contains(&"Id".to_owned()));
        assert!(m.unmapped.contains(&"Paid at".to_owned()));
        assert_eq!(m.unmapped.len(), split(SHOPIFY).len() - 10);
    }

    #[test]
    fn name_is_an_order_only_in_shopify_exports() {
        let m = map("Name,Email,Date,Amount").unwrap();
        assert_eq!(m.get(Role::OrderId), None);
        assert_eq!(m.unmapped, vec!["Name"]);
        // And a better order column wins even there.
        let m = map("Name,Order Number,Email,Created at,Total,Lineitem name").unwrap();
        assert_eq!(header(&m, Role::OrderId), Some("Order Number"));
    }

    #[test]
    fn woocommerce_export() {
        let m = map(WOOCOMMERCE).unwrap();
        assert_eq!(header(&m, Role::OrderId), Some("Order ID"));
        assert_eq!(header(&m, Role::Date), Some("Order Date"));
        assert_eq!(header(&m, Role::Status), Some("Order Status"));
        assert_eq!(header(&m, Role::CustomerId), Some("Customer User ID"));
        assert_eq!(header(&m, Role::Email), Some("Billing Email"));
        assert_eq!(header(&m, Role::Amount), Some("Order Total Amount"));
        assert_eq!(header(&m, Role::ProductId), Some("Item SKU"));
        assert_eq!(header(&m, Role::ProductName), Some("Item Name"));
        assert_eq!(header(&m, Role::Quantity), Some("Quantity"));
        assert_eq!(header(&m, Role::UnitPrice), Some("Item Cost"));
        assert!(m.unmapped.contains(&"Order Number".to_owned()));
        assert!(m.unmapped.contains(&"Discount Amount".to_owned()));
    }

    #[test]
    fn stripe_payments_export() {
        let m = map(STRIPE).unwrap();
        assert_eq!(header(&m, Role::OrderId), Some("id"));
        assert_eq!(header(&m, Role::Date), Some("Created (UTC)"));
        assert_eq!(header(&m, Role::Amount), Some("Amount"));
        assert_eq!(header(&m, Role::Status), Some("Status"));
        assert_eq!(header(&m, Role::CustomerId), Some("Customer ID"));
        assert_eq!(header(&m, Role::Email), Some("Customer Email"));
        assert_eq!(header(&m, Role::ProductName), Some("Description"));
        for unused in [
            "Amount Refunded",
            "Converted Amount",
            "Invoice ID",
            "Dispute Date",
        ] {
            assert!(m.unmapped.contains(&unused.to_owned()), "{unused}");
        }
    }

    #[test]
    fn cdnow_style_and_case_variants() {
        let m = map("customer_id,date,quantity,amount").unwrap();
        assert_eq!(
            Role::ALL.map(|r| m.get(r)),
            [
                Some(0),
                None,
                None,
                Some(1),
                Some(3),
                Some(2),
                None,
                None,
                None,
                None,
                None,
                None
            ]
        );
        let m = map("CUSTOMER_ID,INVOICE_DATE,TOTAL_AMOUNT,PRODUCT-CATEGORY,UTM_SOURCE").unwrap();
        assert_eq!(
            [
                Role::CustomerId,
                Role::Date,
                Role::Amount,
                Role::Category,
                Role::Channel
            ]
            .map(|r| m.get(r)),
            [Some(0), Some(1), Some(2), Some(3), Some(4)]
        );
        let m = map("\u{feff}Customer Id , Order.Date,e-mail,Revenue (EUR)").unwrap();
        assert_eq!(m.get(Role::CustomerId), Some(0));
        assert_eq!(m.get(Role::Date), Some(1));
        assert_eq!(m.get(Role::Email), Some(2));
        assert_eq!(header(&m, Role::Amount), Some("Revenue (EUR)"));
        assert_eq!(normalize_header("Customer ID"), "customerid");
        assert_eq!(normalize_header("customer_id"), "customerid");
        assert_eq!(normalize_header("CustomerID"), "customerid");
    }

    #[test]
    fn exact_synonyms_beat_bracket_stripped_ones() {
        let m = map("Customer,Date,Amount (USD),Total (EUR)").unwrap();
        assert_eq!(
            header(&m, Role::Amount),
            Some("Amount (USD)"),
            "listed as is"
        );
        let m = map("Customer,Date,Amount (EUR),Total").unwrap();
        assert_eq!(header(&m, Role::Amount), Some("Total"));
        let m = map("Customer,Date,Total (EUR)").unwrap();
        assert_eq!(header(&m, Role::Amount), Some("Total (EUR)"));
    }

    #[test]
    fn quantity_and_unit_price_replace_the_amount() {
        assert!(map("customer,date,qty,price").is_ok());
        let e = map("customer,date,qty").unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingColumn);
        assert_eq!(e.field.as_deref(), Some("mapping.amount"));
        assert!(e
            .message
            .contains("unit price (unitPrice) to go with the quantity column \"qty\""));
    }

    #[test]
    fn missing_columns_are_listed_with_the_headers_and_an_example() {
        let e = map("Client,Day,Total").unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingColumn);
        assert_eq!(e.field.as_deref(), Some("mapping"));
        for part in [
            "the customer (customerId, or email)",
            "the date (date)",
            "\"Client\", \"Day\", \"Total\"",
            "mapping: { customerId: \"Client\", date: \"Day\" }",
        ] {
            assert!(e.message.contains(part), "{part}: {}", e.message);
        }
        assert!(!e.message.contains("amount"));
        let e = map("customer,amount").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("mapping.date"));
        let e = auto_map(&[], &[]).unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingColumn);
        assert!(e.message.contains("Columns found: none"));
        let many: Vec<String> = (0..50).map(|i| format!("col{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(auto_map(&many, &[])
            .unwrap_err()
            .message
            .contains("and 10 more"));
    }

    #[test]
    fn overrides_by_name_index_and_none() {
        let headers = split("Client,Day,Total,E-Mail,Sku");
        let m = auto_map(
            &headers,
            &[
                (Role::CustomerId, ColumnRef::Name("Client".into())),
                (Role::Date, ColumnRef::Index(1)),
                (Role::Email, ColumnRef::None),
                (Role::ProductId, ColumnRef::Name("SKU".into())),
            ],
        )
        .unwrap();
        assert_eq!(m.get(Role::CustomerId), Some(0));
        assert_eq!(header(&m, Role::Date), Some("Day"));
        assert_eq!(m.get(Role::Amount), Some(2));
        assert_eq!(m.get(Role::Email), None);
        assert_eq!(m.get(Role::ProductId), Some(4), "by normalised name");
        assert_eq!(m.unmapped, vec!["E-Mail"]);
        // An override takes the column before auto-mapping: the email column as the customer id.
        let m = auto_map(
            &split("Email,Date,Amount"),
            &[(Role::CustomerId, ColumnRef::Name("Email".into()))],
        )
        .unwrap();
        assert_eq!(m.get(Role::CustomerId), Some(0));
        assert_eq!(m.get(Role::Email), None);
        // Unmapping a required role fails the requirement check.
        let e = auto_map(
            &split("customer,date,amount"),
            &[(Role::Date, ColumnRef::None)],
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::MissingColumn, Some("mapping.date"))
        );
    }

    #[test]
    fn bad_overrides() {
        let headers = split("customer,date,amount");
        let e = auto_map(
            &headers,
            &[(Role::CustomerId, ColumnRef::Name("Client".into()))],
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingColumn);
        assert_eq!(e.field.as_deref(), Some("mapping.customerId"));
        assert!(e.message.contains("\"Client\""));
        assert!(e.message.contains("\"customer\", \"date\", \"amount\""));
        let e = auto_map(&headers, &[(Role::Date, ColumnRef::Index(3))]).unwrap_err();
        assert_eq!(e.code, ErrorCode::MissingColumn);
        assert_eq!(e.field.as_deref(), Some("mapping.date"));
        let e = auto_map(
            &headers,
            &[
                (Role::Amount, ColumnRef::Index(2)),
                (Role::UnitPrice, ColumnRef::Name("amount".into())),
            ],
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::ConflictingFields);
        assert_eq!(e.field.as_deref(), Some("mapping.unitPrice"));
        let e = auto_map(
            &headers,
            &[
                (Role::Date, ColumnRef::Index(1)),
                (Role::Date, ColumnRef::Index(1)),
            ],
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::ConflictingFields);
    }

    #[test]
    fn duplicate_headers() {
        // Unused duplicates are fine.
        let m = map("customer,date,amount,Notes,Notes").unwrap();
        assert_eq!(m.unmapped, vec!["Notes", "Notes"]);
        // A chosen duplicate is not.
        let e = map("Customer ID,Date,Amount,Date").unwrap_err();
        assert_eq!(e.code, ErrorCode::ConflictingFields);
        assert_eq!(e.field.as_deref(), Some("mapping.date"));
        assert!(
            e.message.starts_with("two columns are named \"Date\""),
            "{}",
            e.message
        );
        assert!(e.message.contains("mapping: { date: 1 }"));
        let m = auto_map(
            &split("Customer ID,Date,Amount,Date"),
            &[(Role::Date, ColumnRef::Index(3))],
        )
        .unwrap();
        assert_eq!(m.get(Role::Date), Some(3));
        assert_eq!(m.unmapped, vec!["Date"]);
        let e = auto_map(
            &split("Customer ID,Date,Amount,Date"),
            &[(Role::Date, ColumnRef::Name("Date".into()))],
        )
        .unwrap_err();
        assert_eq!(e.code, ErrorCode::ConflictingFields);
        // Alike after normalisation counts as a tie too.
        let e = map("customer_id,Customer ID,date,amount").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("mapping.customerId"));
        assert!(e.message.contains("are alike"), "{}", e.message);
    }

    #[test]
    fn no_header_is_a_synonym_of_two_roles() {
        let mut seen = std::collections::HashMap::new();
        for role in Role::ALL {
            for synonym in role.synonyms() {
                let n = normalize_header(synonym);
                if let Some(other) = seen.insert(n.clone(), role) {
                    assert_eq!(other, role, "{n:?} under {other:?} and {role:?}");
                }
            }
        }
    }

    #[test]
    fn serialises_for_the_ui_and_deserialises_options() {
        let m = map("CustomerID,InvoiceDate,Quantity,UnitPrice,Country").unwrap();
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(
            json["customerId"],
            serde_json::json!({ "index": 0, "header": "CustomerID" })
        );
        assert_eq!(json["unitPrice"]["index"], 3);
        assert_eq!(json["amount"], serde_json::Value::Null);
        assert_eq!(json["unmapped"], serde_json::json!(["Country"]));
        let keys: Vec<String> = Role::ALL
            .iter()
            .map(|r| {
                serde_json::to_value(r)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(
            keys,
            [
                "customerId",
                "email",
                "orderId",
                "date",
                "amount",
                "quantity",
                "unitPrice",
                "productId",
                "productName",
                "category",
                "channel",
                "status"
            ]
        );
        assert!(Role::ALL.iter().zip(&keys).all(|(r, k)| r.key() == k));
        let role: Role = serde_json::from_str("\"unitPrice\"").unwrap();
        assert_eq!(role, Role::UnitPrice);
        let refs: Vec<ColumnRef> = serde_json::from_str(r#"["Client", 3, null]"#).unwrap();
        assert_eq!(
            refs,
            vec![
                ColumnRef::Name("Client".into()),
                ColumnRef::Index(3),
                ColumnRef::None
            ]
        );
        assert_eq!(Role::UnitPrice.to_string(), "unit price");
    }
}
