"""The objects the simulator knows, with the fields the vendor material names for each.

Field lists come from the SDK's request builders (VENDOR, GLACCOUNT, CLASS, DEPARTMENT, LOCATION,
PROJECT, TASK, APPYMT) and from the facts file (APBILL with APBILLITEMS, dimensions, COSTTYPE). A
create or update naming a field outside these lists fails, the way a mistyped field name fails on the
real gateway; custom fields can be allowed with the ``custom_fields`` switch.
"""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM_FIELDS = ("RECORDNO", "WHENCREATED", "WHENMODIFIED", "CREATEDBY", "MODIFIEDBY")
DIMENSION_FIELDS = ("LOCATIONID", "DEPARTMENTID", "PROJECTID", "TASKID", "COSTTYPEID", "CLASSID", "VENDORID")

#: list containers and the name of their items, for reading and writing nested data
LISTS = {
    "APBILLITEMS": "APBILLITEM",
    "APPYMTDETAILS": "APPYMTDETAIL",
    "PODOCUMENTENTRIES": "PODOCUMENTENTRY",
}

CONTACT = (
    "PRINTAS", "COMPANYNAME", "TAXABLE", "TAXGROUP", "PREFIX", "FIRSTNAME", "LASTNAME", "INITIAL", "PHONE1",
    "PHONE2", "CELLPHONE", "PAGER", "FAX", "EMAIL1", "EMAIL2", "URL1", "URL2", "MAILADDRESS",
)  # fmt: skip


@dataclass(frozen=True)
class ObjectSpec:
    name: str
    label: str  # as the gateway names it in messages ("Vendor")
    key: str | None  # business id field; None: RECORDNO only
    fields: tuple[str, ...]  # writable header fields
    required: tuple[str, ...] = ()
    read_only: tuple[str, ...] = ()  # shown on reads, never written by a client
    lines: str | None = None  # list container (APBILLITEMS)
    line_fields: tuple[str, ...] = ()
    line_required: tuple[str, ...] = ()
    scope: tuple[str, ...] = ()  # the key is unique within these fields (TASKID within PROJECTID)
    generic_writes: bool = True  # create/update/delete through the generic functions

    def all_fields(self) -> tuple[str, ...]:
        lines = (self.lines,) if self.lines else ()
        return SYSTEM_FIELDS + self.fields + self.read_only + lines

    def key_of(self, record: dict) -> str:
        return str(record.get(self.key or "RECORDNO", ""))


def _spec(name, label, key, fields, **extra) -> ObjectSpec:
    return ObjectSpec(name, label, key, tuple(fields), **extra)


_STATUS = ("STATUS",)
BILL_LINE = (
    "ACCOUNTNO", "ACCOUNTLABEL", "TRX_AMOUNT", "ENTRYDESCRIPTION", "LOCATIONID", "DEPARTMENTID", "PROJECTID",
    "TASKID", "COSTTYPEID", "CLASSID", "VENDORID", "ITEMID", "BILLABLE", "CUSTOMERID", "EMPLOYEEID",
)  # fmt: skip
PO_LINE = (
    "LINE_NO", "ITEMID", "ITEMDESC", "QUANTITY", "UNIT", "PRICE", "TOTAL", "LOCATIONID", "DEPARTMENTID",
    "PROJECTID", "TASKID", "COSTTYPEID", "CLASSID", "VENDORID", "MEMO", "BILLABLE",
)  # fmt: skip

SPECS: dict[str, ObjectSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "GLACCOUNT", "GL Account", "ACCOUNTNO",
            ("ACCOUNTNO", "TITLE", "ACCOUNTTYPE", "NORMALBALANCE", "CLOSINGTYPE", "CLOSINGACCOUNTNO", *_STATUS),
            required=("ACCOUNTNO", "TITLE"),
        ),
        _spec("LOCATION", "Location", "LOCATIONID", ("LOCATIONID", "NAME", "PARENTID", *_STATUS),
              required=("LOCATIONID", "NAME")),
        _spec("DEPARTMENT", "Department", "DEPARTMENTID", ("DEPARTMENTID", "TITLE", "PARENTID", *_STATUS),
              required=("DEPARTMENTID", "TITLE")),
        _spec("CLASS", "Class", "CLASSID", ("CLASSID", "NAME", "DESCRIPTION", "PARENTID", *_STATUS),
              required=("CLASSID", "NAME")),
        _spec(
            "PROJECT", "Project", "PROJECTID",
            ("PROJECTID", "NAME", "DESCRIPTION", "PROJECTCATEGORY", "PROJECTSTATUS", "PARENTID", "CUSTOMERID",
             "BEGINDATE", "ENDDATE", "LOCATIONID", "DEPARTMENTID", *_STATUS),
            required=("NAME", "PROJECTCATEGORY"),
        ),
        _spec("TASK", "Task", "TASKID", ("TASKID", "NAME", "PROJECTID", "DESCRIPTION", "TASKSTATUS", *_STATUS),
              required=("NAME", "PROJECTID"), scope=("PROJECTID",)),
        _spec(
            "COSTTYPE", "Cost Type", "COSTTYPEID",
            ("COSTTYPEID", "NAME", "PROJECTID", "TASKID", "STANDARDCOSTTYPEID", "ACCUMULATIONTYPENAME", *_STATUS),
            required=("COSTTYPEID", "NAME", "PROJECTID", "TASKID"), scope=("PROJECTID", "TASKID"),
        ),
        _spec(
            "VENDOR", "Vendor", "VENDORID",
            ("VENDORID", "NAME", "DISPLAYCONTACT", "ONETIME", "HIDEDISPLAYCONTACT", "VENDTYPE", "PARENTID",
             "GLGROUP", "TAXID", "NAME1099", "FORM1099TYPE", "FORM1099BOX", "SUPDOCID", "APACCOUNT", "CREDITLIMIT",
             "ONHOLD", "DONOTCUTCHECK", "COMMENTS", "CURRENCY", "CONTACTINFO", "PAYTO", "RETURNTO", "PAYMETHODKEY",
             "MERGEPAYMENTREQ", "PAYMENTNOTIFY", "BILLINGTYPE", "PAYMENTPRIORITY", "TERMNAME", "DISPLAYTERMDISCOUNT",
             "ACHENABLED", "ACHBANKROUTINGNUMBER", "ACHACCOUNTNUMBER", "ACHACCOUNTTYPE", "ACHREMITTANCETYPE",
             "VENDORACCOUNTNO", "DISPLAYACCTNOCHECK", "OBJECTRESTRICTION", "RESTRICTEDLOCATIONS",
             "RESTRICTEDDEPARTMENTS", *_STATUS),
            required=("NAME",),
        ),
        _spec("ITEM", "Item", "ITEMID", ("ITEMID", "NAME", "ITEMTYPE", *_STATUS), required=("ITEMID", "NAME")),
        _spec("CHECKINGACCOUNT", "Checking Account", "BANKACCOUNTID", ("BANKACCOUNTID", "BANKNAME", *_STATUS),
              required=("BANKACCOUNTID",)),
        _spec(
            "APBILL", "Bill", None,
            ("VENDORID", "WHENCREATED", "WHENPOSTED", "WHENDUE", "RECORDID", "DOCNUMBER", "DESCRIPTION", "TERMNAME",
             "ONHOLD", "CURRENCY", "BASECURR", "SUPDOCID", "ACTION"),
            required=("VENDORID", "WHENCREATED"),
            read_only=("VENDORNAME", "STATE", "TOTALENTERED", "TOTALDUE", "TOTALPAID", "WHENPAID", "RAWSTATE"),
            lines="APBILLITEMS", line_fields=BILL_LINE, line_required=("TRX_AMOUNT",),
        ),
        _spec(
            "APPYMT", "AP Payment", None,
            ("FINANCIALENTITY", "PAYMENTMETHOD", "VENDORID", "PAYMENTDATE", "CURRENCY", "DOCNUMBER", "DESCRIPTION",
             "ACTION", "PAYMENTREQUESTMETHOD", "GROUPPAYMENTS", "EXCH_RATE_DATE", "EXCH_RATE_TYPE_ID",
             "PAYMENTCONTACT"),
            required=("FINANCIALENTITY", "PAYMENTMETHOD", "VENDORID", "PAYMENTDATE"),
            read_only=("STATE", "TOTALENTERED", "WHENPAID"),
            lines="APPYMTDETAILS",
            line_fields=("RECORDKEY", "ENTRYKEY", "TRX_PAYMENTAMOUNT", "DISCOUNTDATE", "DISCOUNTTOAPPLY",
                         "CREDITTOAPPLY"),
            line_required=("RECORDKEY", "TRX_PAYMENTAMOUNT"),
        ),
        _spec(
            "PODOCUMENT", "Purchasing Transaction", "DOCID",
            ("DOCPARID", "DOCNO", "VENDORID", "WHENCREATED", "WHENDUE", "REFERENCENO", "TERMNAME", "MESSAGE",
             "EXTERNALID", "CURRENCY", "BASECURR", "STATE"),
            read_only=("DOCID", "VENDORNAME", "SUBTOTAL", "TOTAL"),
            lines="PODOCUMENTENTRIES", line_fields=PO_LINE,
            # The SDK writes purchasing transactions only through create_/update_/delete_potransaction.
            generic_writes=False,
        ),
    )
}  # fmt: skip

#: a dimension field on a line -> the object it references
DIMENSIONS = {
    "LOCATIONID": "LOCATION",
    "DEPARTMENTID": "DEPARTMENT",
    "PROJECTID": "PROJECT",
    "CLASSID": "CLASS",
    "VENDORID": "VENDOR",
    "ITEMID": "ITEM",
}


def spec_for(name: str | None) -> ObjectSpec | None:
    return SPECS.get((name or "").strip().upper())
