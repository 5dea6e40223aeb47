"""The user-facing texts of the customer routes, in the reference's words (English and Arabic)."""
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "system_error_try_later": {
        "en": "System error occurred. try again later.",
        "ar": "حدث خطأ في النظام. حاول مرة أخرى لاحقًا.",
    },
    "system_error_contact_secretary": {
        "en": "System error occurred. Ask user to contact the secretary to reserve.",
        "ar": "حدث خطأ في النظام. اطلب من المستخدم الاتصال بالسكرتيرة للحجز.",
    },
    "wa_id_same": {
        "en": "The new wa_id is the same as the old wa_id.",
        "ar": "رقم الواتساب الجديد هو نفسه رقم الواتساب القديم.",
    },
    # Mawid: the reference merged the two customers here, overwriting the target's name (docs/decisions.md).
    "wa_id_taken": {
        "en": "Another customer already uses wa_id {wa_id}; nothing was changed. Merging two customers is not "
              "done by changing an id.",
        "ar": "رقم الواتساب {wa_id} مستخدم لعميل آخر؛ لم يتم تغيير أي شيء. لا يتم دمج عميلين بتغيير الرقم.",
    },
    "wa_id_not_found": {
        "en": "Customer with phone number not found. The phone number may have been changed already.",
        "ar": "لم يتم العثور على العميل برقم الهاتف هذا. ربما تم تغيير رقم الهاتف بالفعل.",
    },
    "wa_id_modified": {"en": "wa_id modified successfully.", "ar": "تم تعديل رقم الواتساب بنجاح."},
    "phone_length_error": {
        "en": "Phone number length is invalid (should be between 8-15 digits).",
        "ar": "طول رقم الهاتف غير صالح (يجب أن يكون بين 8-15 رقمًا).",
    },
    "phone_format_error": {"en": "Invalid phone number format.", "ar": "صيغة رقم الهاتف غير صالحة."},
    "phone_invalid": {"en": "Invalid phone number: {error}", "ar": "رقم الهاتف غير صالح: {error}"},
    "phone_validation_error": {"en": "Phone validation error.", "ar": "خطأ في التحقق من صحة رقم الهاتف."},
    "customer_name_required": {"en": "Customer name has to be provided.", "ar": "يجب تقديم اسم العميل."},
    "customer_not_found_for_update": {
        "en": "Customer with wa_id {wa_id} not found for update.",
        "ar": "لم يتم العثور على عميل برقم الواتساب {wa_id} للتحديث.",
    },
    "customer_name_no_change": {
        "en": "Customer name is the same, no update performed.",
        "ar": "اسم العميل مطابق، لم يتم إجراء تحديث.",
    },
    "customer_name_updated": {"en": "Customer name updated successfully.", "ar": "تم تحديث اسم العميل بنجاح."},
    "customer_name_update_failed": {"en": "Failed to update customer name.", "ar": "فشل تحديث اسم العميل."},
    # Missing from the reference's catalogue (its age responses carried ""): spec 30 quirk 6.
    "customer_age_updated": {"en": "Customer age updated successfully.", "ar": "تم تحديث عمر العميل بنجاح."},
    "age_out_of_range": {"en": "Age must be between 0 and 120", "ar": "Age must be between 0 and 120"},
}


def text(key: str, ar: bool = False, **params: object) -> str:
    entry = TEXTS[key]
    template = entry["ar" if ar else "en"]
    return template.format(**params) if params else template
