"""Exact Online constants: hosts, token rules, status codes, the fields we read."""

#: Regional hosts: the consent page, the token endpoint and the API all live on the region's host.
HOSTS = {
    "nl": "https://start.exactonline.nl",
    "be": "https://start.exactonline.be",
    "de": "https://start.exactonline.de",
    "uk": "https://start.exactonline.co.uk",
    "us": "https://start.exactonline.com",
    "es": "https://start.exactonline.es",
    "fr": "https://start.exactonline.fr",
}
DEFAULT_TIMEZONE = "Europe/Amsterdam"

#: Exact refuses a new access token until 570 s after the previous one was issued (tokens live 600 s).
EARLIEST_REFRESH_SECONDS = 570
#: Refresh this long before expiry: inside the last 30 s, so never before Exact allows it.
REFRESH_MARGIN_SECONDS = 20
#: A refresh token unused for 30 days dies; the keep-alive renews any left idle for this long.
KEEP_ALIVE_AFTER_DAYS = 20

#: purchaseorder/PurchaseOrders.OrderStatus
ORDER_STATUS = {10: "open", 20: "partial", 30: "complete", 40: "cancelled"}
CANCELLED = 40
#: purchaseentry/PurchaseEntries.Status and .Type
ENTRY_STATUS = {5: "rejected", 20: "open", 50: "processed"}
REJECTED = 5
CREDIT_NOTE = 31

PO_HEADER = (
    "PurchaseOrderID,OrderNumber,OrderDate,OrderStatus,Description,Currency,Supplier,SupplierCode,SupplierName,"
    "YourRef,Modified"
)
ENTRY_HEADER = (
    "EntryID,EntryNumber,EntryDate,DueDate,InvoiceNumber,YourRef,Description,Currency,Supplier,SupplierName,Status,"
    "Type,Modified,PurchaseEntryLines"
)
SUPPLIER_FIELDS = "ID,Code,Name,Status,Blocked,VATNumber,Email,PurchaseCurrency,Modified"
#: Webhook topics we read -> the entity whose id a notification's Key is
TOPICS = {"PurchaseOrders": "commitment", "PurchaseEntries": "bill"}
