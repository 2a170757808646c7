//! Sales representatives: the people who recommend the portal, chosen on the organization form.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::sales_representatives;
use crate::db::DbConnection;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sales_representatives)]
pub struct SalesRepresentative {
    pub id: String,
    pub name: String,
    pub email: String,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sales_representatives)]
pub struct NewSalesRepresentative<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub active: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The columns an update may change; `None` keeps the stored value.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = sales_representatives)]
pub struct SalesRepresentativeChanges<'a> {
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub active: Option<bool>,
    pub updated_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, new: &NewSalesRepresentative<'_>) -> QueryResult<()> {
    diesel::insert_into(sales_representatives::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    sales_representatives::table.count().get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<SalesRepresentative>> {
    sales_representatives::table
        .find(id)
        .select(SalesRepresentative::as_select())
        .first(conn)
        .optional()
}

/// Every representative, active or not, by name (staff).
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<SalesRepresentative>> {
    sales_representatives::table
        .order((
            sales_representatives::name.asc(),
            sales_representatives::id.asc(),
        ))
        .select(SalesRepresentative::as_select())
        .load(conn)
}

/// The representatives people can choose, by name.
pub fn active(conn: &mut DbConnection) -> QueryResult<Vec<SalesRepresentative>> {
    sales_representatives::table
        .filter(sales_representatives::active.eq(true))
        .order((
            sales_representatives::name.asc(),
            sales_representatives::id.asc(),
        ))
        .select(SalesRepresentative::as_select())
        .load(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    changes: &SalesRepresentativeChanges<'_>,
) -> QueryResult<usize> {
    diesel::update(sales_representatives::table.find(id))
        .set(changes)
        .execute(conn)
}
