"""The reference's customer-facing texts (spec 20 §11), English and Arabic.

`text(key, ar, **args)` formats a template; when formatting fails or no
arguments are given the raw template is returned, and an unknown key gives "".
Keys marked "Mawid" are added where the reference had none (spec 20 quirks).
"""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "system_error_try_later": ("System error occurred. try again later.", "حدث خطأ في النظام. حاول مرة أخرى لاحقًا."),
    "system_error_generic": ("An unexpected error occurred: {error}. Please try again later.",
                             "حدث خطأ غير متوقع: {error}. حاول مرة أخرى لاحقًا."),
    "system_error_contact_secretary": ("System error occurred. Ask user to contact the secretary to reserve.",
                                       "حدث خطأ في النظام. اطلب من المستخدم الاتصال بالسكرتيرة للحجز."),
    "invalid_date_format": ("Invalid date format: {error}", "تنسيق تاريخ غير صالح: {error}"),
    "cannot_reserve_past": ("Cannot reserve in the past.", "لا يمكنك الحجز في الماضي."),
    "non_working_day": ("The clinic is closed on this day.", "العيادة مغلقة في هذا اليوم."),
    "reservation_failed_slot": (
        "Reservation failed. The selected time slot ({slot}) is not available. Available slots: {slots}",
        "فشل الحجز. الوقت الذي تم اختياره ({slot}) غير متاح. الأوقات المتاحة: {slots}"),
    "slot_fully_booked": ("This time slot is fully booked. Please choose another slot.",
                          "هذا الوقت محجوز بالكامل. يرجى اختيار وقت آخر."),
    "all_slots_fully_booked": ("All slots are fully booked for this date. Please choose another date.",
                               "جميع المواعيد محجوزة. يرجى اختيار تاريخ آخر."),
    "invalid_reservation_type": ("Invalid reservation type. Must be 0 or 1.",
                                 "نوع الحجز غير صالح. يجب أن يكون 0 أو 1."),
    # Mawid: resources (issue 24)
    "resource_not_found": ("No such doctor or room: {resource}. Available: {names}",
                           "لا يوجد طبيب أو غرفة بهذا الاسم: {resource}. المتاح: {names}"),
    "resource_day_off": ("{resource} is not available on this day.", "{resource} غير متاح في هذا اليوم."),
    "resource_type_not_taken": ("{resource} does not take this reservation type.",
                                "{resource} لا يستقبل هذا النوع من الحجز."),
    "customer_name_required": ("Customer name has to be provided.", "يجب تقديم اسم العميل."),
    "phone_length_error": ("Phone number length is invalid (should be between 8-15 digits).",
                           "طول رقم الهاتف غير صالح (يجب أن يكون بين 8-15 رقمًا)."),
    "phone_format_error": ("Invalid phone number format.", "صيغة رقم الهاتف غير صالحة."),
    "phone_invalid": ("Invalid phone number: {error}", "رقم الهاتف غير صالح: {error}"),
    "phone_validation_error": ("Phone validation error.", "خطأ في التحقق من صحة رقم الهاتف."),
    "reservation_successful": ("Reservation successful.", "تم الحجز بنجاح."),
    "reservation_modified_successfully": ("Reservation modified successfully.", "تم تعديل الحجز بنجاح."),
    "no_new_details": ("No new details provided for modification.", "لم يتم تقديم تفاصيل جديدة للتعديل."),
    "no_future_reservations": (
        "No upcoming reservations found to modify. Please reserve a new appointment.",
        "لم يتم العثور على حجوزات قادمة للتعديل. الرجاء حجز موعد جديد."),
    "no_actual_change_made": ("No actual changes were made to the reservation.",
                              "لم يتم إجراء أي تغييرات فعلية على الحجز."),
    "slot_unavailable_approx_not_impl": (
        "The requested slot is unavailable, and finding an approximate slot is not yet fully implemented.",
        "الوقت المطلوب غير متاح، ولم يتم تنفيذ ميزة إيجاد وقت تقريبي بالكامل بعد."),
    "reservation_not_found_id": ("Reservation with ID {id} not found.", "لم يتم العثور على حجز بالمعرف {id}."),
    "cannot_cancel_past_reservation": (
        "Cannot cancel past reservations. Reservation ID {id} is in the past.",
        "لا يمكن إلغاء الحجوزات السابقة. الحجز رقم {id} في الماضي."),
    "no_reservation_on_date": ("No reservations found on {date}.", "لم يتم العثور على حجوزات في {date}."),
    "no_future_reservations_on_date": (
        "No future reservations found on {date}. Cannot cancel past reservations.",
        "لم يتم العثور على حجوزات مستقبلية في {date}. لا يمكن إلغاء الحجوزات السابقة."),
    "cancellation_failed_date": ("Failed to cancel reservations on {date}.", "فشل في إلغاء الحجوزات في {date}."),
    "cancellation_failed_specific": (
        "Failed to cancel reservation with ID {id}. It might be already cancelled or not exist.",
        "فشل إلغاء الحجز بالمعرف {id}. قد يكون ملغى بالفعل أو غير موجود."),
    "reservation_already_cancelled": ("Reservation with ID {id} is already cancelled.",
                                      "الحجز بالمعرف {id} ملغى بالفعل."),
    "reservations_cancelled_successfully": ("{count} reservation(s) cancelled successfully.",
                                            "تم إلغاء {count} حجز بنجاح."),
    "no_reservations_to_cancel": ("No active reservations found to cancel.", "لم يتم العثور على حجوزات نشطة للإلغاء."),
    "reservation_reinstated": ("Reservation with ID {id} has been reinstated.", "تمت إعادة تفعيل الحجز بالمعرف {id}."),
    "reservation_already_active": ("Reservation with ID {id} is already active.", "الحجز بالمعرف {id} نشط بالفعل."),
    "reservation_reinstate_failed": (
        "Failed to reinstate reservation with ID {id}. It might not be in a cancellable state or an error occurred.",
        "فشل إعادة تفعيل الحجز بالمعرف {id}. قد لا يكون في حالة قابلة للإلغاء أو حدث خطأ."),
    "customer_not_found_for_update": ("Customer with wa_id {wa_id} not found for update.",
                                      "لم يتم العثور على عميل برقم الواتساب {wa_id} للتحديث."),
    "customer_name_update_failed": ("Failed to update customer name.", "فشل تحديث اسم العميل."),
    "wa_id_same": ("The new wa_id is the same as the old wa_id.", "رقم الواتساب الجديد هو نفسه رقم الواتساب القديم."),
    "wa_id_not_found": (
        "Customer with phone number not found. The phone number may have been changed already.",
        "لم يتم العثور على العميل برقم الهاتف هذا. ربما تم تغيير رقم الهاتف بالفعل."),
    "wa_id_modified": ("wa_id modified successfully.", "تم تعديل رقم الواتساب بنجاح."),
    "vacation_periods_updated": ("Vacation periods updated successfully", "تم تحديث فترات الإجازة بنجاح"),
    "vacation_periods_update_failed": ("Failed to update vacation periods", "فشل في تحديث فترات الإجازة"),
    "vacation_update_undone": ("Vacation update has been undone", "تم التراجع عن تحديث الإجازة"),
    "vacation_undo_failed": ("Failed to undo vacation update", "فشل في التراجع عن تحديث الإجازة"),
    # Mawid additions (the reference referenced a missing key or reused a wrong one).
    "invalid_time_format": ("Invalid time format: {error}", "تنسيق وقت غير صالح: {error}"),
    "no_future_reservations_to_cancel": ("No upcoming reservations found to cancel.",
                                         "لم يتم العثور على حجوزات قادمة للإلغاء."),
    "no_remaining_slots_today": ("No remaining time slots today. Please choose another date.",
                                 "لا توجد أوقات متبقية اليوم. يرجى اختيار تاريخ آخر."),
    "date_beyond_horizon": ("Reservations can only be made up to {days} days ahead.",
                            "يمكن الحجز فقط حتى {days} يومًا مقدمًا."),
}


def text(key: str, ar: bool = False, **args: object) -> str:
    pair = MESSAGES.get(key)
    if pair is None:
        return ""
    template = pair[1] if ar else pair[0]
    if not args:
        return template
    try:
        return template.format(**args)
    except (KeyError, IndexError, ValueError):
        return template


def lookup(key: str, ar: bool = False, args: dict[str, str] | None = None) -> str:
    """`GET /message`: the whole catalogue; extra arguments format the template, errors ignored."""
    from actors.reservation.catalogue import CATALOGUE

    pair = MESSAGES.get(key) or CATALOGUE.get(key)
    if pair is None:
        return ""
    template = pair[1] if ar else pair[0]
    try:
        return template.format(**args) if args else template
    except (KeyError, IndexError, ValueError):
        return template
