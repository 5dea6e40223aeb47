"""The dashboards' texts about resources (doctors, rooms…): the calendar's resource views and the resource
admin page, in English and Arabic. Merged into `dashboard_i18n.STRINGS`."""
from __future__ import annotations

RESOURCE_STRINGS: dict[str, tuple[str, str]] = {
    "view_resource_week": ("Week by doctor", "الأسبوع حسب الطبيب"),
    "resource_day_off": ("Not working this day", "لا يعمل في هذا اليوم"),
    "resource_vacation": ("On leave", "في إجازة"),
    "waitlist_any_resource": ("Any", "أي طبيب"),
    "any_resource": ("Any", "أي طبيب"),  # the booking dialog's choice, worded as the waitlist's
    "schedule_unavailable": ("Could not load the schedule", "تعذّر تحميل الجدول"),
    "nav_resources": ("Doctors & rooms", "الأطباء والغرف"),
    "resources_title": ("Doctors, rooms and their schedules", "الأطباء والغرف وجداولهم"),
    "resources_intro": ("Each one books on its own hours, slot length and capacity; an empty field means the "
                        "clinic's. A doctor or room is switched off, never deleted: its bookings stay.",
                        "لكلٍّ منهم ساعاته ومدة موعده وسعته؛ الحقل الفارغ يعني إعدادات العيادة. يُوقَف الطبيب أو "
                        "الغرفة ولا يُحذف: تبقى حجوزاته."),
    "add_resource": ("Add a doctor or room", "إضافة طبيب أو غرفة"),
    "edit": ("Edit", "تعديل"),
    "name_en": ("Name (English)", "الاسم (بالإنجليزية)"),
    "name_ar": ("Name (Arabic)", "الاسم (بالعربية)"),
    "position": ("Order", "الترتيب"),
    "takes_types": ("Takes", "يستقبل"),
    "working_days": ("Working days", "أيام العمل"),
    "clinic_days": ("The clinic's days", "أيام العيادة"),
    "working_hours": ("Working hours", "ساعات العمل"),
    "clinic_hours": ("the clinic's hours", "ساعات العيادة"),
    "day_hours": ("Hours on particular days", "ساعات أيام محددة"),
    "slot_minutes": ("Slot length (minutes)", "مدة الموعد (دقائق)"),
    "capacity": ("Bookings per slot", "الحجوزات لكل موعد"),
    "leaves": ("Leave (own vacations)", "الإجازات الخاصة"),
    "add_leave": ("Add leave", "إضافة إجازة"),
    "clinic_default": ("the clinic's", "كالعيادة"),
    "inactive": ("Switched off", "موقوف"),
    "saved": ("Saved", "تم الحفظ"),
}
