"""The dashboards' interface texts in English and Arabic.

Pages render with `t(key)`; the same table is embedded in every page so the
JavaScript modules translate what they build. Customer-facing and business
messages come from the API itself (already localised when `ar` is sent).
"""
from __future__ import annotations

from aiohttp import web

LANG_COOKIE = "mawid_lang"
LANGUAGES = ("en", "ar")

STRINGS: dict[str, tuple[str, str]] = {
    "app_name": ("Mawid", "موعد"),
    "nav_calendar": ("Calendar", "التقويم"),
    "nav_conversations": ("Conversations", "المحادثات"),
    "nav_customers": ("Customers", "العملاء"),
    "nav_analytics": ("Analytics", "التحليلات"),
    "nav_live": ("Live metrics", "المؤشرات الحية"),
    "nav_users": ("Users", "المستخدمون"),
    "nav_simulator": ("WhatsApp simulator", "محاكي واتساب"),
    "language_toggle": ("العربية", "English"),
    "logout": ("Log out", "تسجيل الخروج"),
    "login_title": ("Sign in to Mawid", "تسجيل الدخول إلى موعد"),
    "email": ("Email", "البريد الإلكتروني"),
    "password": ("Password", "كلمة المرور"),
    "sign_in": ("Sign in", "دخول"),
    "login_failed": ("Wrong email or password.", "البريد الإلكتروني أو كلمة المرور غير صحيحة."),
    "login_throttled": ("Too many attempts; wait a moment and try again.",
                        "محاولات كثيرة؛ انتظر قليلًا ثم أعد المحاولة."),
    "conn_lost": ("Connection lost — live updates paused. Reconnecting…",
                  "انقطع الاتصال — التحديثات الحية متوقفة. جارٍ إعادة الاتصال…"),
    "conn_back": ("Reconnected — catching up.", "عاد الاتصال — جارٍ التحديث."),
    "read_only": ("Read-only access: your role can view but not change anything.",
                  "صلاحية قراءة فقط: يمكنك العرض دون التعديل."),
    "forbidden_page": ("This page needs the {role} role.", "هذه الصفحة تتطلب صلاحية {role}."),
    "day": ("Day", "يوم"),
    "week": ("Week", "أسبوع"),
    "today": ("Today", "اليوم"),
    "previous": ("Previous", "السابق"),
    "next": ("Next", "التالي"),
    "closed": ("Closed", "مغلق"),
    "vacation": ("Vacation", "إجازة"),
    "vacations": ("Vacations", "الإجازات"),
    "add_vacation": ("Add vacation", "إضافة إجازة"),
    "remove": ("Remove", "إزالة"),
    "start": ("Start", "البداية"),
    "end": ("End", "النهاية"),
    "title": ("Title", "العنوان"),
    "book": ("Book", "حجز"),
    "new_booking": ("New booking", "حجز جديد"),
    "phone": ("Phone (WhatsApp)", "الهاتف (واتساب)"),
    "name": ("Name", "الاسم"),
    "type": ("Type", "النوع"),
    "type_0": ("Check-up", "كشف"),
    "type_1": ("Follow-up", "مراجعة"),
    "date": ("Date", "التاريخ"),
    "time": ("Time", "الوقت"),
    "save": ("Save", "حفظ"),
    "move": ("Move", "نقل"),
    "cancel_booking": ("Cancel booking", "إلغاء الحجز"),
    "close": ("Close", "إغلاق"),
    "undo": ("Undo", "تراجع"),
    "booked": ("Booked", "تم الحجز"),
    "moved": ("Moved", "تم النقل"),
    "cancelled": ("Cancelled", "تم الإلغاء"),
    "undone": ("Undone", "تم التراجع"),
    "failed": ("Failed", "فشل"),
    "live_event": ("Updated live", "تحديث مباشر"),
    "search_customers": ("Search by name or number…", "ابحث بالاسم أو الرقم…"),
    "favorite": ("Favorite", "مفضل"),
    "blocked": ("Blocked", "محظور"),
    "block": ("Block", "حظر"),
    "unblock": ("Unblock", "إلغاء الحظر"),
    "no_results": ("No matching customers.", "لا يوجد عملاء مطابقون."),
    "show_more": ("Show more", "عرض المزيد"),
    "last_message": ("Last message", "آخر رسالة"),
    "unread": ("unread", "غير مقروءة"),
    "select_conversation": ("Pick a conversation.", "اختر محادثة."),
    "type_message": ("Write a message…", "اكتب رسالة…"),
    "send": ("Send", "إرسال"),
    "typing": ("typing…", "يكتب…"),
    "role_user": ("Customer", "العميل"),
    "role_assistant": ("Assistant", "المساعد"),
    "role_secretary": ("Secretary", "السكرتارية"),
    "from_date": ("From", "من"),
    "to_date": ("To", "إلى"),
    "refresh": ("Refresh", "تحديث"),
    "kpi_total_reservations": ("Reservations", "الحجوزات"),
    "kpi_cancellations": ("Cancellations", "الإلغاءات"),
    "kpi_unique_customers": ("New customers", "عملاء جدد"),
    "kpi_conversion": ("Conversion", "التحويل"),
    "kpi_returning": ("Returning", "العائدون"),
    "kpi_response": ("Avg response (min)", "متوسط الرد (دقيقة)"),
    "kpi_active": ("Upcoming customers", "عملاء قادمون"),
    "chart_daily": ("Daily activity", "النشاط اليومي"),
    "chart_types": ("Reservation types", "أنواع الحجوزات"),
    "chart_weekday": ("By weekday", "حسب اليوم"),
    "chart_slots": ("Popular time slots", "الأوقات الأكثر طلبًا"),
    "chart_funnel": ("Funnel", "مسار التحويل"),
    "chart_monthly": ("Monthly trends", "الاتجاهات الشهرية"),
    "chart_segments": ("Customer segments", "شرائح العملاء"),
    "top_customers": ("Top customers", "أكثر العملاء نشاطًا"),
    "funnel_Conversations": ("Conversations", "محادثات"),
    "funnel_Made reservation": ("Made a reservation", "حجزوا موعدًا"),
    "funnel_Returned for another": ("Came back again", "عادوا مرة أخرى"),
    "funnel_Cancelled": ("Cancelled", "ألغوا"),
    "segment_New (1 visit)": ("New (1 visit)", "جدد (زيارة واحدة)"),
    "segment_Returning (2-5 visits)": ("Returning (2–5 visits)", "عائدون (2–5 زيارات)"),
    "segment_Loyal (6+ visits)": ("Loyal (6+ visits)", "دائمون (6+ زيارات)"),
    "reservations": ("Reservations", "الحجوزات"),
    "cancellations": ("Cancellations", "الإلغاءات"),
    "messages": ("Messages", "الرسائل"),
    "metric_cpu": ("CPU %", "المعالج ٪"),
    "metric_memory": ("Memory (MB)", "الذاكرة (م.ب)"),
    "metric_requested": ("Booking requests", "طلبات الحجز"),
    "metric_successful": ("Bookings made", "حجوزات ناجحة"),
    "metric_failed": ("Bookings failed", "حجوزات فاشلة"),
    "metric_cancel_ok": ("Cancellations done", "إلغاءات ناجحة"),
    "metric_cancel_failed": ("Cancellations failed", "إلغاءات فاشلة"),
    "metric_modify_ok": ("Changes done", "تعديلات ناجحة"),
    "metric_modify_failed": ("Changes failed", "تعديلات فاشلة"),
    "metrics_waiting": ("Waiting for the first metrics push…", "في انتظار أول تحديث للمؤشرات…"),
    "users_title": ("Users and roles", "المستخدمون والصلاحيات"),
    "role": ("Role", "الصلاحية"),
    "role_admin": ("Admin", "مدير"),
    "role_staff": ("Staff", "موظف"),
    "role_viewer": ("Viewer", "مشاهد"),
    "add_user": ("Add user", "إضافة مستخدم"),
    "delete": ("Delete", "حذف"),
    "active": ("Active", "نشط"),
    "sim_intro": ("Chat as a customer with the assistant. Replies are recorded (outbox mode), not sent to WhatsApp.",
                  "تحدث كعميل مع المساعد. الردود تُسجَّل (وضع الصندوق الصادر) ولا تُرسل إلى واتساب."),
    "sim_customer": ("Customer", "العميل"),
    "sim_bookings": ("This customer's bookings", "حجوزات هذا العميل"),
    "sim_none": ("No bookings yet.", "لا توجد حجوزات بعد."),
    "loading": ("Loading…", "جارٍ التحميل…"),
    "notifications": ("Notifications", "الإشعارات"),
    "no_notifications": ("Nothing new.", "لا جديد."),
    "notif_reservation_created": ("New booking", "حجز جديد"),
    "notif_reservation_updated": ("Booking changed", "تعديل حجز"),
    "notif_reservation_reinstated": ("Booking restored", "استعادة حجز"),
    "notif_reservation_cancelled": ("Booking cancelled", "إلغاء حجز"),
    "notif_conversation_new_message": ("Message", "رسالة"),
    "notif_vacation_period_updated": ("Vacations updated", "تحديث الإجازات"),
    "unavailable": ("Not available on this server yet: {route}", "غير متاح على هذا الخادم بعد: {route}"),
}


def language_of(request: web.Request) -> str:
    """Cookie first (the toggle), then the browser's preference; English by default."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    preferred = request.headers.get("Accept-Language", "").split(",")[0].strip().lower()
    return "ar" if preferred.startswith("ar") else "en"


class Strings(dict):
    """A missing text shows its key instead of failing the page (templates use StrictUndefined)."""

    def __missing__(self, key: str) -> str:
        return key


def strings_for(lang: str) -> Strings:
    index = 1 if lang == "ar" else 0
    return Strings({key: pair[index] for key, pair in STRINGS.items()})
