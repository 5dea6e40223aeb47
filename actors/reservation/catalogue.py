"""The rest of the reference's i18n catalogue (spec 50 §12), served by `GET /message`."""
from __future__ import annotations

CATALOGUE: dict[str, tuple[str, str]] = {
    'past_date_error': (
        'Cannot schedule for past dates.',
        'لا يمكنك الجدولة لتواريخ ماضية.'),
    'location_sent': (
        'Location sent.',
        'تم إرسال الموقع.'),
    'invalid_date': (
        'Invalid date format.',
        'تاريخ غير صالح.'),
    'invalid_time': (
        'Invalid time format.',
        'صيغة الوقت غير صالحة.'),
    'no_slots_available_approx': (
        'No available time slot found for approximation.',
        'لم يتم العثور على موعد متاح للتقريب.'),
    'no_changes_made': (
        'No changes were made as no new details were provided.',
        'لم يتم إجراء أي تغييرات كونه لم يتم تقديم تفاصيل جديدة.'),
    'all_reservations_cancelled': (
        'All reservations cancelled.',
        'تم إلغاء جميع الحجوزات.'),
    'reservation_cancelled': (
        'Reservation cancelled.',
        'تم إلغاء الحجز.'),
    'reservation_modified': (
        'Reservation modified successfully.',
        'تم تعديل الحجز بنجاح.'),
    'multiple_future_reservations': (
        'Multiple upcoming reservations found: {reservations}. You can only have one future reservation. '
        'Please cancel unused reservations.',
        'تم العثور على حجوزات متعددة قادمة: {reservations}\n'
        'يمكنك أن تمتلك حجز مستقبلي واحد فقط. الرجاء إلغاء الحجوزات الغير مستعملة'),
    'no_reservations_found': (
        'No reservations found for the customer.',
        'لم يتم العثور على حجوزات للعميل.'),
    'reservation_not_found': (
        'Reservation not found for the specified date.',
        'لم يتم العثور على حجز في التاريخ المحدد.'),
    'reservation_cancelled_for_undo': (
        'Reservation with ID {id} has been cancelled (undone).',
        'تم إلغاء الحجز بالمعرف {id} (تم التراجع).'),
    'customer_name_no_change': (
        'Customer name is the same, no update performed.',
        'اسم العميل مطابق، لم يتم إجراء تحديث.'),
    'customer_name_updated': (
        'Customer name updated successfully.',
        'تم تحديث اسم العميل بنجاح.'),
    'cannot_select_past': (
        'Cannot select past time slots.',
        'لا يمكن اختيار مواعيد سابقة.'),
    'reservation_changed': (
        'Reservation changed.',
        'تم تعديل الحجز.'),
    'calendar_week_grid': (
        'Week Grid',
        'شبكة الوقت'),
    'calendar_timeline': (
        'Timeline',
        'الجدول الزمني'),
    'calendar_list': (
        'List',
        'القائمة'),
    'calendar_multi_month': (
        'Multi-Month',
        'عدة أشهر'),
    'vacation': (
        'Vacation',
        'إجازة'),
    'conversation': (
        'Conversation: {name}',
        'محادثة: {name}'),
    'user_deleted': (
        'User deleted successfully.',
        'تم حذف المستخدم بنجاح.'),
    'vacation_period_added': (
        'Vacation period added successfully',
        'تمت إضافة فترة الإجازة بنجاح'),
    'vacation_period_removed': (
        'Vacation period removed successfully',
        'تم حذف فترة الإجازة بنجاح'),
    'vacation_period_modified': (
        'Vacation period modified successfully',
        'تم تعديل فترة الإجازة بنجاح'),
    'undo': (
        'Undo',
        'تراجع'),
    'undone': (
        'Undone',
        'تم التراجع'),
}
