<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ar_EG">
<context>
    <name>ChatController</name>
    <message>
        <location filename="../app/chat_controller.cpp" line="+199"/>
        <source>Recent changes to your chats may not be safe on the disk (%1). Check the disk; copy the database or export your chats before you rely on them.</source>
        <translation>قد لا تكون التغييرات الأخيرة على محادثاتك محفوظة بأمان على القرص (%1). افحص القرص، وانسخ قاعدة البيانات أو صدّر محادثاتك قبل أن تعتمد عليها.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>New conversation</source>
        <translation>محادثة جديدة</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>The model is still loading. Please wait a moment.</source>
        <translation>لا يزال النموذج قيد التحميل. يرجى الانتظار قليلاً.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No model is loaded. Open one from the model menu first.</source>
        <translation>لم يتم تحميل أي نموذج. افتح نموذجاً من قائمة النموذج أولاً.</translation>
    </message>
    <message>
        <location filename="../app/chat_controller_conversations.cpp" line="+201"/>
        <source>conversation</source>
        <translation>محادثة</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>falcon-chat conversations %1</source>
        <translation>محادثات falcon-chat %1</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>LM Studio chats</source>
        <translation>محادثات LM Studio</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>Nothing was imported: %1</source>
        <translation>لم يتم استيراد أي شيء: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Imported %Ln conversation(s), but not: %1</source>
        <translation>
            <numerusform>لم يتم استيراد أي محادثة، ولم يُستورد: %1</numerusform>
            <numerusform>تم استيراد محادثة واحدة، ولكن ليس: %1</numerusform>
            <numerusform>تم استيراد محادثتين، ولكن ليس: %1</numerusform>
            <numerusform>تم استيراد %Ln محادثات، ولكن ليس: %1</numerusform>
            <numerusform>تم استيراد %Ln محادثة، ولكن ليس: %1</numerusform>
            <numerusform>تم استيراد %Ln محادثة، ولكن ليس: %1</numerusform>
        </translation>
    </message>
    <message>
        <location line="+47"/>
        <source>The unsent message could not be saved: %1</source>
        <translation>تعذّر حفظ الرسالة غير المرسلة: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/chat_controller_model.cpp" line="+31"/>
        <source>%1 in %n file(s)</source>
        <translation>
            <numerusform>%1 في %n ملفات</numerusform>
            <numerusform>%1 في ملف واحد</numerusform>
            <numerusform>%1 في ملفين</numerusform>
            <numerusform>%1 في %n ملفات</numerusform>
            <numerusform>%1 في %n ملفًا</numerusform>
            <numerusform>%1 في %n ملف</numerusform>
        </translation>
    </message>
    <message>
        <location line="+24"/>
        <source>%1, %2 head · %3</source>
        <extracomment>A saved quantized model: its layers&apos; format, its output head&apos;s format, the backend, e.g. &quot;int4, int8 head · GPU&quot;.</extracomment>
        <translation>%1، رأس %2 · %3</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 could not be removed.</source>
        <translation>تعذرت إزالة %1.</translation>
    </message>
    <message>
        <location line="+79"/>
        <location line="+13"/>
        <source>The model could not be loaded: %1</source>
        <translation>تعذّر تحميل النموذج: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>CPU, %n thread(s)</source>
        <translation>
            <numerusform>CPU، %n خيوط</numerusform>
            <numerusform>CPU، خيط واحد</numerusform>
            <numerusform>CPU، خيطان</numerusform>
            <numerusform>CPU، %n خيوط</numerusform>
            <numerusform>CPU، %n خيطًا</numerusform>
            <numerusform>CPU، %n خيط</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 (CUDA)</source>
        <translation>%1 (CUDA)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>This conversation was made with another model; its text is tokenized again for the one loaded now, so replies can differ from before.</source>
        <translation>أُجريت هذه المحادثة بنموذج آخر؛ يُقسَّم نصها إلى رموز من جديد للنموذج المحمّل الآن، لذا قد تختلف الردود عما كانت عليه.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only the last %1 of the %2 tokens of your message fit this chat&apos;s context window, so the model did not see its beginning. A larger window (Sampling) keeps more.</source>
        <translation>لم تتسع نافذة سياق هذه المحادثة إلا لآخر %1 من %2 رمزًا في رسالتك، فلم يرَ النموذج بدايتها. نافذة أكبر (أخذ العينات) تحتفظ بالمزيد.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>this build has no GPU support</source>
        <translation>هذا الإصدار لا يدعم وحدة معالجة الرسوميات</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no usable NVIDIA driver (none installed, or one too old for CUDA 13)</source>
        <translation>لا يوجد تعريف NVIDIA صالح للاستخدام (غير مثبّت، أو أقدم من أن يعمل مع CUDA 13)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no NVIDIA GPU found</source>
        <translation>لم يُعثر على وحدة معالجة رسوميات من NVIDIA</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the GPU backend could not be loaded (%1)</source>
        <translation>تعذّر تحميل واجهة وحدة معالجة الرسوميات (%1)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>GPU not used: %1. Running on the CPU.</source>
        <translation>لم تُستخدم وحدة GPU: %1. يعمل على CPU.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Quantized weights read from the cache.</source>
        <translation>قُرئت الأوزان المكمَّمة من ذاكرة التخزين المؤقت.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quantized weights saved: the next load of this model skips quantizing.</source>
        <translation>حُفظت الأوزان المكمَّمة: سيتخطى التحميل التالي لهذا النموذج التكميم.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The saved quantized weights did not match this model and were made again.</source>
        <translation>لم تطابق الأوزان المكمَّمة المحفوظة هذا النموذج، فأُعيد إنشاؤها.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Quantized weights could not be saved for the next load (%1).</source>
        <translation>تعذّر حفظ الأوزان المكمَّمة للتحميل التالي (%1).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No example prompts: %1</source>
        <translation>لا توجد أمثلة أسئلة: %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 GiB</source>
        <translation>%1 غيغابايت</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 MiB</source>
        <translation>%1 ميغابايت</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not enough GPU memory on %1: the model needs %2 (weights %3, a KV cache of %4 tokens %5, scratch and CUDA %6), but only %7 of %8 are free.</source>
        <translation>لا تكفي ذاكرة GPU على %1: يحتاج النموذج %2 (الأوزان %3، وذاكرة KV مؤقتة لـ %4 رمزًا %5، ومساحة عمل وCUDA %6)، لكن المتاح %7 فقط من %8.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 weights would need %2 and fit.</source>
        <translation>أوزان %1 ستحتاج %2 وتتسع.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>With these weights a KV cache of up to %1 tokens fits.</source>
        <translation>مع هذه الأوزان تتسع ذاكرة KV مؤقتة حتى %1 رمزًا.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The weights alone do not fit.</source>
        <translation>الأوزان وحدها لا تتسع.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Even %1 weights would need %2.</source>
        <translation>حتى أوزان %1 ستحتاج %2.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The CPU backend can run it instead.</source>
        <translation>يمكن لواجهة CPU تشغيله بدلًا من ذلك.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>weights %1 + cache %2 (%3)</source>
        <translation>الأوزان %1 + الذاكرة المؤقتة %2 (%3)</translation>
    </message>
    <message>
        <location line="-237"/>
        <location line="+238"/>
        <source>GPU</source>
        <translation>وحدة الرسومات</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>RAM</source>
        <translation>ذاكرة RAM</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 of %2 in use</source>
        <translation>%1 من %2 مستخدمة</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <location filename="../ui/pages/ChatPage.qml" line="+33"/>
        <source>Add files to the message</source>
        <translation>إضافة ملفات إلى الرسالة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add</source>
        <translation>إضافة</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Hide the conversations</source>
        <translation>إخفاء المحادثات</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show the conversations</source>
        <translation>إظهار المحادثات</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Sampling</source>
        <translation>أخذ العينات</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sampling settings of this chat</source>
        <translation>إعدادات أخذ العينات لهذه المحادثة</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Messages</source>
        <translation>الرسائل</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Copied</source>
        <translation>تم النسخ</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Link copied (links are never opened)</source>
        <translation>تم نسخ الرابط (لا تُفتح الروابط أبداً)</translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <location filename="../ui/components/CodeBlock.qml" line="+52"/>
        <source>code</source>
        <translation>شيفرة</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Copy</source>
        <translation>نسخ</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy the code</source>
        <translation>نسخ الشيفرة</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Show less</source>
        <translation>عرض أقل</translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <source>Show all (%Ln more line(s))</source>
        <translation>
            <numerusform>عرض الكل (لا سطور أخرى)</numerusform>
            <numerusform>عرض الكل (سطر آخر)</numerusform>
            <numerusform>عرض الكل (سطران آخران)</numerusform>
            <numerusform>عرض الكل (%Ln أسطر أخرى)</numerusform>
            <numerusform>عرض الكل (%Ln سطرًا آخر)</numerusform>
            <numerusform>عرض الكل (%Ln سطر آخر)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../ui/components/Composer.qml" line="+68"/>
        <source>Add text files or documents (PDF, Word, OpenDocument) to the message</source>
        <translation>إضافة ملفات نصية أو مستندات (PDF وWord وOpenDocument) إلى الرسالة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add text files or documents (PDF, Word, OpenDocument) to the message (or drop them on the window)</source>
        <translation>إضافة ملفات نصية أو مستندات (PDF وWord وOpenDocument) إلى الرسالة (أو اسحبها إلى النافذة)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Type a message… (Enter sends, Shift+Enter for a new line)</source>
        <translation>اكتب رسالة… (Enter للإرسال، Shift+Enter لسطر جديد)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Message</source>
        <translation>الرسالة</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Stop</source>
        <translation>إيقاف</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Send</source>
        <translation>إرسال</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stop the reply</source>
        <translation>إيقاف الرد</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Send the message</source>
        <translation>إرسال الرسالة</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Reading the text of %1…</source>
        <translation>جارٍ قراءة نص %1…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop reading the document</source>
        <translation>إيقاف قراءة المستند</translation>
    </message>
</context>
<context>
    <name>ContextMapBar</name>
    <message>
        <location filename="../ui/components/ContextMapBar.qml" line="+25"/>
        <source>Context</source>
        <translation>السياق</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>%1 | %2 | %3</source>
        <translation>%1 | %2 | %3</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Pinned (system prompt): %1 tokens
Evicted (no longer seen): %2 tokens
Recent window: %3 of %4 tokens</source>
        <translation>مثبّت (موجّه النظام): %1 رمزاً
مُزال (لم يعد مرئياً): %2 رمزاً
النافذة الحديثة: %3 من %4 رمزاً</translation>
    </message>
</context>
<context>
    <name>ConversationListDelegate</name>
    <message>
        <location filename="../ui/components/ConversationListDelegate.qml" line="+27"/>
        <source>%1, unsent draft</source>
        <translation>%1، مسودة غير مرسلة</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Pinned</source>
        <translation>مثبّتة</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Untitled</source>
        <translation>بلا عنوان</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Draft</source>
        <translation>مسودة</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Conversation title</source>
        <translation>عنوان المحادثة</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Actions for %1</source>
        <translation>إجراءات لـ %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Rename</source>
        <translation>إعادة تسمية</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unpin</source>
        <translation>إلغاء التثبيت</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Pin</source>
        <translation>تثبيت</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unarchive</source>
        <translation>إلغاء الأرشفة</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Archive</source>
        <translation>أرشفة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export as Markdown…</source>
        <translation>تصدير بصيغة Markdown…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export as JSON…</source>
        <translation>تصدير بصيغة JSON…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete</source>
        <translation>حذف</translation>
    </message>
</context>
<context>
    <name>ConversationSidebar</name>
    <message>
        <location filename="../ui/components/ConversationSidebar.qml" line="+56"/>
        <source>New chat</source>
        <translation>محادثة جديدة</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start a new conversation</source>
        <translation>بدء محادثة جديدة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New chat (Ctrl+N)</source>
        <translation>محادثة جديدة (Ctrl+N)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>More actions</source>
        <translation>المزيد من الإجراءات</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Import conversations…</source>
        <translation>استيراد المحادثات…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export all conversations…</source>
        <translation>تصدير كل المحادثات…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Settings…</source>
        <translation>الإعدادات…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keyboard shortcuts</source>
        <translation>اختصارات لوحة المفاتيح</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Search all chats (Ctrl+F)</source>
        <translation>البحث في كل المحادثات (Ctrl+F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search all conversations</source>
        <translation>البحث في كل المحادثات</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Show archived</source>
        <translation>عرض المؤرشفة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show archived conversations</source>
        <translation>عرض المحادثات المؤرشفة</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Conversations</source>
        <translation>المحادثات</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>No archived conversations.</source>
        <translation>لا توجد محادثات مؤرشفة.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No conversations yet.
Start one with New chat.</source>
        <translation>لا توجد محادثات بعد.
ابدأ واحدة عبر «محادثة جديدة».</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Search results</source>
        <translation>نتائج البحث</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No matches</source>
        <translation>لا توجد نتائج</translation>
    </message>
</context>
<context>
    <name>ConversationTransfer</name>
    <message>
        <location filename="../app/conversation_transfer.cpp" line="+146"/>
        <source>this is not an export of falcon-chat, ChatGPT (conversations.json), Open WebUI or LM Studio</source>
        <translation>هذا ليس ملف تصدير من falcon-chat أو ChatGPT ‏(conversations.json) أو Open WebUI أو LM Studio</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>this is a ZIP archive: unzip it and import the JSON file inside (conversations.json in ChatGPT&apos;s data export)</source>
        <translation>هذا أرشيف ZIP: فك ضغطه واستورد ملف JSON الذي بداخله (conversations.json في تصدير بيانات ChatGPT)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>not valid JSON</source>
        <translation>ليس JSON صالحًا</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>it was exported by a newer falcon-chat; update falcon-chat to import it</source>
        <translation>صُدِّر الملف من إصدار أحدث من falcon-chat؛ حدّث falcon-chat لاستيراده</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1: %2 MiB is more than a conversations export can be (%3 MiB)</source>
        <translation>%1: ‏%2 ميبيبايت أكبر مما يمكن أن يكون عليه ملف تصدير المحادثات (%3 ميبيبايت)</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Could not write %1: %2</source>
        <translation>تعذّرت كتابة %1: %2</translation>
    </message>
</context>
<context>
    <name>DateGroup</name>
    <message>
        <location filename="../app/date_group.cpp" line="+18"/>
        <source>Pinned</source>
        <translation>مثبّتة</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Today</source>
        <translation>اليوم</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Yesterday</source>
        <translation>أمس</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Previous 7 days</source>
        <translation>الأيام السبعة الماضية</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Older</source>
        <translation>أقدم</translation>
    </message>
</context>
<context>
    <name>EmptyChatHint</name>
    <message>
        <location filename="../ui/components/EmptyChatHint.qml" line="+29"/>
        <source>Ask anything. Everything runs on this computer.</source>
        <translation>اسأل عن أي شيء. كل شيء يعمل على هذا الحاسوب.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loading the model… you can already type.</source>
        <translation>جارٍ تحميل النموذج… يمكنك البدء بالكتابة.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No model is loaded yet.</source>
        <translation>لم يتم تحميل أي نموذج بعد.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Model loading progress</source>
        <translation>تقدّم تحميل النموذج</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Ask: %1</source>
        <translation>اسأل: %1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>This is the small demo model that comes with the app. For real answers, open a Falcon checkpoint (Ctrl+O).</source>
        <translation>هذا هو النموذج التجريبي الصغير المرفق بالتطبيق. للحصول على إجابات حقيقية، افتح نقطة حفظ Falcon ‏(Ctrl+O).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open a model folder…</source>
        <translation>فتح مجلد نموذج…</translation>
    </message>
</context>
<context>
    <name>FileChooserDialog</name>
    <message>
        <location filename="../ui/dialogs/FileChooserDialog.qml" line="+26"/>
        <source>Open</source>
        <translation>فتح</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>Hidden files</source>
        <translation>الملفات المخفية</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Files shown</source>
        <translation>الملفات المعروضة</translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>%n file(s) selected</source>
        <translation>
            <numerusform>لم يُحدَّد أي ملف</numerusform>
            <numerusform>ملف واحد محدد</numerusform>
            <numerusform>ملفان محددان</numerusform>
            <numerusform>%n ملفات محددة</numerusform>
            <numerusform>%n ملفًا محددًا</numerusform>
            <numerusform>%n ملف محدد</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No file selected</source>
        <translation>لم يُحدَّد أي ملف</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
</context>
<context>
    <name>FolderBrowserModel</name>
    <message>
        <location filename="../app/folder_browser_model.cpp" line="+60"/>
        <source>%1 does not exist.</source>
        <translation>%1 غير موجود.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 cannot be read (no permission).</source>
        <translation>تتعذر قراءة %1 (لا يوجد إذن).</translation>
    </message>
    <message>
        <location line="+230"/>
        <source>Folders asked for earlier have not answered yet (a network share?); try again later.</source>
        <translation>لم تستجب بعد المجلدات المطلوبة سابقًا (مجلد شبكة مشترك؟)؛ حاول مرة أخرى لاحقًا.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>The folder could not be read now (the system refused a thread); try again.</source>
        <translation>تعذرت قراءة المجلد الآن (رفض النظام إنشاء خيط)؛ حاول مرة أخرى.</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Home</source>
        <translation>المجلد الشخصي</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Hugging Face cache</source>
        <translation>ذاكرة Hugging Face المؤقتة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents</source>
        <translation>المستندات</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Downloads</source>
        <translation>التنزيلات</translation>
    </message>
</context>
<context>
    <name>FolderBrowserPane</name>
    <message>
        <location filename="../ui/components/FolderBrowserPane.qml" line="+62"/>
        <source>Up one folder (Backspace)</source>
        <translation>مجلد واحد للأعلى (مفتاح الحذف للخلف)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Up one folder</source>
        <translation>مجلد واحد للأعلى</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Type or paste a folder path</source>
        <translation>اكتب مسار مجلد أو الصقه</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder path</source>
        <translation>مسار المجلد</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>%1, folder with a model</source>
        <translation>%1، مجلد فيه نموذج</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1, folder</source>
        <translation>%1، مجلد</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, file, %2</source>
        <translation>%1، ملف، %2</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Select %1</source>
        <translation>تحديد %1</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>model</source>
        <translation>نموذج</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No folders or matching files here.</source>
        <translation>لا توجد هنا مجلدات ولا ملفات مطابقة.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This folder is empty.</source>
        <translation>هذا المجلد فارغ.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reading the folder…</source>
        <translation>جارٍ قراءة المجلد…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only the first %1 entries are shown; type a path to go further.</source>
        <translation>تُعرض أول %1 عنصر فقط؛ اكتب مسارًا للمتابعة.</translation>
    </message>
</context>
<context>
    <name>InferenceWorker</name>
    <message>
        <location filename="../app/inference_worker.cpp" line="+77"/>
        <source>The inference engine could not start.</source>
        <translation>تعذّر تشغيل محرك الاستدلال.</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Not enough memory to load this model.</source>
        <translation>لا توجد ذاكرة كافية لتحميل هذا النموذج.</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>No model is loaded. Open one from the model menu first.</source>
        <translation>لم يتم تحميل أي نموذج. افتح نموذجاً من قائمة النموذج أولاً.</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Out of memory while generating the reply.</source>
        <translation>نفدت الذاكرة أثناء توليد الرد.</translation>
    </message>
</context>
<context>
    <name>JumpToLatestButton</name>
    <message>
        <location filename="../ui/components/JumpToLatestButton.qml" line="+25"/>
        <location line="+3"/>
        <source>Jump to the latest message</source>
        <translation>الانتقال إلى أحدث رسالة</translation>
    </message>
</context>
<context>
    <name>KeyboardShortcutsDialog</name>
    <message>
        <location filename="../ui/dialogs/KeyboardShortcutsDialog.qml" line="+12"/>
        <source>Keyboard shortcuts</source>
        <translation>اختصارات لوحة المفاتيح</translation>
    </message>
</context>
<context>
    <name>LoadIssue</name>
    <message>
        <location filename="../app/load_issue_words.cpp" line="+21"/>
        <source>This folder holds a “%1” model, not a Falcon model: falcon-chat runs Falcon models only (model_type falcon, RefinedWeb or RefinedWebModel in config.json).</source>
        <translation>يحتوي هذا المجلد على نموذج “%1” وليس نموذج Falcon: لا يشغّل falcon-chat إلا نماذج Falcon (‏model_type قيمته falcon أو RefinedWeb أو RefinedWebModel في config.json).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 holds only PyTorch pickle weights (%2), which are refused because unpickling can run arbitrary code. Convert the checkpoint to safetensors first (in transformers: save_pretrained(..., safe_serialization=True)).</source>
        <translation>لا يحتوي %1 إلا على أوزان PyTorch بصيغة pickle ‏(%2)، وهي مرفوضة لأن فكّها قد يشغّل شيفرة عشوائية. حوّل نقطة الحفظ إلى safetensors أولًا (في transformers: ‏save_pretrained(..., safe_serialization=True)).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>There are no model weights (model.safetensors) in %1.</source>
        <translation>لا توجد أوزان نموذج (model.safetensors) في %1.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 holds several .safetensors files but no model.safetensors.index.json, which says what each of them holds. Download the index too.</source>
        <translation>يحتوي %1 على عدة ملفات ‎.safetensors لكن دون model.safetensors.index.json الذي يبيّن محتوى كل منها. نزّل الفهرس أيضًا.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 names files that are not in %2: %3. The download is not complete; download the missing files.</source>
        <translation>يذكر %1 ملفات غير موجودة في %2: ‏%3. التنزيل غير مكتمل؛ نزّل الملفات الناقصة.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 ends before its data does (tensor %2 ends at byte %3 of the data, the file holds %4): the download did not finish. Download this file again.</source>
        <translation>ينتهي %1 قبل أن تنتهي بياناته (الموتّر %2 ينتهي عند البايت %3 من البيانات، والملف يحوي %4): لم يكتمل التنزيل. نزّل هذا الملف من جديد.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 ends inside its own header (%2 bytes of header, %3 bytes of file): the download did not finish. Download this file again.</source>
        <translation>ينتهي %1 داخل ترويسته (%2 بايت للترويسة، و%3 بايت للملف): لم يكتمل التنزيل. نزّل هذا الملف من جديد.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is too short to be a safetensors file: the download did not finish. Download this file again.</source>
        <translation>الملف %1 أقصر من أن يكون ملف safetensors: لم يكتمل التنزيل. نزّل هذا الملف من جديد.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 holds %3 weights (tensor %2). falcon-chat reads BF16, F16 and F32 checkpoints only, not pre-quantized ones such as GPTQ or AWQ: take the original checkpoint (falcon-chat quantizes it to int8 or int4 itself).</source>
        <translation>يحتوي %1 على أوزان %3 (الموتّر %2). لا يقرأ falcon-chat إلا نقاط الحفظ بصيغ BF16 وF16 وF32، لا النقاط المكمّمة مسبقًا مثل GPTQ أو AWQ: استخدم نقطة الحفظ الأصلية (يكمّمها falcon-chat بنفسه إلى int8 أو int4).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>There is no tokenizer in %1: a model folder needs tokenizer.json (Hugging Face) or tokenizer.model (sentencepiece).</source>
        <translation>لا يوجد مُرمِّز في %1: يحتاج مجلد النموذج إلى tokenizer.json (Hugging Face) أو tokenizer.model (sentencepiece).</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The weights in %1 do not fit its config.json (%2). The config.json belongs to another model, or the weights are incomplete: download both from the same place again.</source>
        <translation>الأوزان في %1 لا تطابق ملف config.json الخاص به (%2). ملف config.json يعود إلى نموذج آخر، أو الأوزان غير مكتملة: نزّل الاثنين من جديد من المصدر نفسه.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 is damaged or not a safetensors file (%2). Download this file again.</source>
        <translation>%1 تالف أو ليس ملف safetensors ‏(%2). نزّل هذا الملف من جديد.</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../ui/Main.qml" line="+17"/>
        <source>Falcon Chat</source>
        <translation>Falcon Chat</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 — Falcon Chat</source>
        <translation>%1 — Falcon Chat</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>New chat</source>
        <translation>محادثة جديدة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search all chats</source>
        <translation>البحث في كل المحادثات</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous chat in the list</source>
        <translation>المحادثة السابقة في القائمة</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Next chat in the list</source>
        <translation>المحادثة التالية في القائمة</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Regenerate the last reply</source>
        <translation>إعادة توليد آخر رد</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Previous version of the last reply</source>
        <translation>النسخة السابقة من آخر رد</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Next version of the last reply</source>
        <translation>النسخة التالية من آخر رد</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy the last reply</source>
        <translation>نسخ آخر رد</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last reply copied</source>
        <translation>تم نسخ آخر رد</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show or hide the conversation list</source>
        <translation>إظهار قائمة المحادثات أو إخفاؤها</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show or hide the sampling settings</source>
        <translation>إظهار إعدادات أخذ العينات أو إخفاؤها</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model</source>
        <translation>فتح نموذج</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Larger text</source>
        <translation>نص أكبر</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Smaller text</source>
        <translation>نص أصغر</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text size back to normal</source>
        <translation>حجم النص الافتراضي</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>الإعدادات</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keyboard shortcuts</source>
        <translation>اختصارات لوحة المفاتيح</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quit</source>
        <translation>إنهاء</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>Preset saved</source>
        <translation>تم حفظ الإعداد المسبق</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preset deleted</source>
        <translation>تم حذف الإعداد المسبق</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Anywhere</source>
        <translation>في أي مكان</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the reply, or close a list or panel over the chat</source>
        <translation>إيقاف الرد، أو إغلاق قائمة أو لوحة فوق المحادثة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In the message field</source>
        <translation>في حقل الرسالة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send</source>
        <translation>إرسال</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New line</source>
        <translation>سطر جديد</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Leave the field</source>
        <translation>مغادرة الحقل</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In the search results</source>
        <translation>في نتائج البحث</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a result</source>
        <translation>اختيار نتيجة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open it</source>
        <translation>فتحها</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Export all conversations</source>
        <translation>تصدير كل المحادثات</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export as JSON</source>
        <translation>تصدير بصيغة JSON</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export as Markdown</source>
        <translation>تصدير بصيغة Markdown</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export</source>
        <translation>تصدير</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JSON files (*.json)</source>
        <translation>ملفات JSON (*.json)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Markdown files (*.md)</source>
        <translation>ملفات Markdown (*.md)</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Exported to %1</source>
        <translation>تم التصدير إلى %1</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Imported %Ln conversation(s)</source>
        <translation>
            <numerusform>لم يتم استيراد أي محادثة</numerusform>
            <numerusform>تم استيراد محادثة واحدة</numerusform>
            <numerusform>تم استيراد محادثتين</numerusform>
            <numerusform>تم استيراد %Ln محادثات</numerusform>
            <numerusform>تم استيراد %Ln محادثة</numerusform>
            <numerusform>تم استيراد %Ln محادثة</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Import cancelled after %Ln conversation(s)</source>
        <translation>
            <numerusform>أُلغي الاستيراد قبل أي محادثة</numerusform>
            <numerusform>أُلغي الاستيراد بعد محادثة واحدة</numerusform>
            <numerusform>أُلغي الاستيراد بعد محادثتين</numerusform>
            <numerusform>أُلغي الاستيراد بعد %Ln محادثات</numerusform>
            <numerusform>أُلغي الاستيراد بعد %Ln محادثة</numerusform>
            <numerusform>أُلغي الاستيراد بعد %Ln محادثة</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import cancelled: nothing was imported</source>
        <translation>أُلغي الاستيراد: لم يتم استيراد أي شيء</translation>
    </message>
    <message>
        <location line="-41"/>
        <source>Import conversations</source>
        <translation>استيراد المحادثات</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import</source>
        <translation>استيراد</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Chat exports (*.json)</source>
        <translation>ملفات تصدير المحادثات (⁦*.json⁩)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All files</source>
        <translation>كل الملفات</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Deleted “%1”</source>
        <translation>تم حذف «%1»</translation>
    </message>
</context>
<context>
    <name>MessageActions</name>
    <message>
        <location filename="../ui/components/MessageActions.qml" line="+25"/>
        <source>Copy</source>
        <translation>نسخ</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit</source>
        <translation>تعديل</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Regenerate</source>
        <translation>إعادة التوليد</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue</source>
        <translation>متابعة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>حذف</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <location filename="../ui/components/MessageDelegate.qml" line="+63"/>
        <source>You</source>
        <translation>أنت</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Falcon</source>
        <translation>Falcon</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>(stopped before any text: Regenerate or Continue)</source>
        <translation>(توقف قبل أي نص: إعادة التوليد أو متابعة)</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>The model saw only the last %1 of the %2 tokens of the message this answers (longer than the chat&apos;s context window).</source>
        <translation>لم يرَ النموذج إلا آخر %1 من %2 رمزًا في الرسالة التي يجيب عنها هذا الرد (أطول من نافذة سياق المحادثة).</translation>
    </message>
</context>
<context>
    <name>MessageEditor</name>
    <message>
        <location filename="../ui/components/MessageEditor.qml" line="+38"/>
        <source>Edit the message</source>
        <translation>تعديل الرسالة</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Save &amp;&amp; resend</source>
        <translation>حفظ وإعادة الإرسال</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save and resend</source>
        <translation>حفظ وإعادة الإرسال</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
</context>
<context>
    <name>ModelButton</name>
    <message>
        <location filename="../ui/components/ModelButton.qml" line="+11"/>
        <source>Loading %2… %1%</source>
        <translation>جارٍ تحميل %2… %1%</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model failed — choose another</source>
        <translation>فشل النموذج — اختر غيره</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a model…</source>
        <translation>فتح نموذج…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose the model</source>
        <translation>اختيار النموذج</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model (Ctrl+O)</source>
        <translation>النموذج (Ctrl+O)</translation>
    </message>
</context>
<context>
    <name>ModelFolderBrowser</name>
    <message>
        <location filename="../ui/dialogs/ModelFolderBrowser.qml" line="+15"/>
        <source>Choose a model folder</source>
        <translation>اختر مجلد نموذج</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>This folder holds a model (config.json).</source>
        <translation>يحتوي هذا المجلد على نموذج (config.json).</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Hidden folders</source>
        <translation>المجلدات المخفية</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Choose</source>
        <translation>اختيار</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the folder %1</source>
        <translation>اختر المجلد %1</translation>
    </message>
</context>
<context>
    <name>ModelInspector</name>
    <message>
        <location filename="../app/model_inspector.cpp" line="+20"/>
        <source>new architecture, %1 KV heads, %2 LayerNorm(s)</source>
        <translation>البنية الجديدة، %1 رؤوس KV، %2 طبقة LayerNorm</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>multi-query (one KV head)</source>
        <translation>استعلام متعدد (رأس KV واحد)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>classic multi-head attention</source>
        <translation>انتباه متعدد الرؤوس تقليدي</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>parallel blocks</source>
        <translation>كتل متوازية</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sequential blocks</source>
        <translation>كتل متتابعة</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1 does not exist (a model is a Hugging Face folder with config.json)</source>
        <translation>%1 غير موجود (النموذج مجلد Hugging Face فيه config.json)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is a GGUF/GGML file (llama.cpp, LM Studio, GPT4All), which is not supported; falcon-chat loads Hugging Face checkpoint folders: config.json with the *.safetensors weights</source>
        <translation>%1 ملف GGUF/GGML ‏(llama.cpp وLM Studio وGPT4All)، وهو غير مدعوم؛ يحمّل falcon-chat مجلدات نقاط التحقق من Hugging Face: ملف config.json مع أوزان ‎*.safetensors</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is a PyTorch pickle file, which is not loaded (unpickling can run code); convert the checkpoint to safetensors with Hugging Face&apos;s tools and choose the folder with its config.json</source>
        <translation>%1 ملف PyTorch pickle، وهو لا يُحمَّل (فك الـ pickle قد يشغّل شيفرة)؛ حوّل نقطة التحقق إلى safetensors بأدوات Hugging Face واختر المجلد الذي فيه config.json</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 is a file, not a model folder: choose the folder that holds it (%2)</source>
        <translation>%1 ملف وليس مجلد نموذج: اختر المجلد الذي يحتويه (%2)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is a file, not a model folder (a model is a Hugging Face folder with config.json)</source>
        <translation>%1 ملف وليس مجلد نموذج (النموذج مجلد Hugging Face فيه config.json)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no config.json in %1, but in a folder inside it: choose %2</source>
        <translation>لا يوجد config.json في %1، لكنه في مجلد بداخله: اختر %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>no config.json in %1: it holds several model folders (%2); choose one of them</source>
        <translation>لا يوجد config.json في %1: فيه عدة مجلدات نماذج (%2)؛ اختر واحدًا منها</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>no config.json in %1: it holds a GGUF/GGML file (llama.cpp, LM Studio, GPT4All), which is not supported; falcon-chat loads Hugging Face checkpoint folders: config.json with the *.safetensors weights</source>
        <translation>لا يوجد config.json في %1: فيه ملف GGUF/GGML ‏(llama.cpp وLM Studio وGPT4All)، وهو غير مدعوم؛ يحمّل falcon-chat مجلدات نقاط التحقق من Hugging Face: ملف config.json مع أوزان ‎*.safetensors</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no config.json in %1: it holds a PyTorch pickle file, which is not loaded (unpickling can run code); convert the checkpoint to safetensors with Hugging Face&apos;s tools and choose the folder with its config.json</source>
        <translation>لا يوجد config.json في %1: فيه ملف PyTorch pickle، وهو لا يُحمَّل (فك الـ pickle قد يشغّل شيفرة)؛ حوّل نقطة التحقق إلى safetensors بأدوات Hugging Face واختر المجلد الذي فيه config.json</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>no config.json in %1 (is this a Hugging Face model folder?)</source>
        <translation>لا يوجد config.json في %1 (هل هذا مجلد نموذج من Hugging Face؟)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The folder %1 does not exist.</source>
        <translation>المجلد %1 غير موجود.</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>No tokenizer (tokenizer.json or tokenizer.model) in this folder: the model cannot chat.</source>
        <translation>لا يوجد مُقسِّم (tokenizer.json أو tokenizer.model) في هذا المجلد: لا يمكن للنموذج المحادثة.</translation>
    </message>
</context>
<context>
    <name>ModelPickerDialog</name>
    <message>
        <location filename="../ui/dialogs/ModelPickerDialog.qml" line="+12"/>
        <source>Model</source>
        <translation>النموذج</translation>
    </message>
    <message>
        <location line="+115"/>
        <source>Choose a model folder</source>
        <translation>اختيار مجلد نموذج</translation>
    </message>
    <message>
        <location line="-49"/>
        <source>, CPU</source>
        <translation>، CPU</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>, GPU</source>
        <translation>، GPU</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%2 (bundled, %1)</source>
        <translation>%2 (مرفق، %1)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%2 (%1)</source>
        <translation>%2 (%1)</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Recent</source>
        <translation>الأخيرة</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Models loaded before…</source>
        <translation>نماذج حُمّلت سابقًا…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Models loaded before</source>
        <translation>نماذج حُمّلت سابقًا</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No folder chosen</source>
        <translation>لم يتم اختيار مجلد</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose folder…</source>
        <translation>اختيار مجلد…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Architecture</source>
        <translation>البنية</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Parameters</source>
        <translation>المعاملات</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+40"/>
        <source>Weights</source>
        <translation>الأوزان</translation>
    </message>
    <message>
        <location line="-38"/>
        <source>Tokenizer</source>
        <translation>المُقسِّم</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>none found</source>
        <translation>لم يُعثر على شيء</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Context length</source>
        <translation>طول السياق</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 tokens</source>
        <translation>%1 رمزاً</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Use that folder</source>
        <translation>استخدام ذلك المجلد</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Run on</source>
        <translation>التشغيل على</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Automatic (GPU if available)</source>
        <translation>تلقائي (GPU إن توفّر)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CPU</source>
        <translation>المعالج (CPU)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>GPU (CUDA)</source>
        <translation>بطاقة الرسوميات (CUDA)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Backend</source>
        <translation>الواجهة الخلفية</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>bf16 (exact)</source>
        <translation>bf16 (دقيق)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>int8 (half the memory)</source>
        <translation>int8 (نصف الذاكرة)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>int4 (a quarter)</source>
        <translation>int4 (ربع الذاكرة)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weight format</source>
        <translation>صيغة الأوزان</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>int8 and int4 are quantized the first time the model loads, which takes a moment on the CPU; later loads read them from a cache.</source>
        <translation>يُكمَّم int8 وint4 عند أول تحميل للنموذج، وهذا يستغرق بعض الوقت على المعالج؛ وتقرؤها مرات التحميل التالية من ذاكرة تخزين مؤقت.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Saved quantized weights: %1</source>
        <translation>الأوزان المكمَّمة المحفوظة: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Hide files</source>
        <translation>إخفاء الملفات</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Files…</source>
        <translation>الملفات…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hide the saved files</source>
        <translation>إخفاء الملفات المحفوظة</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show the saved files one by one</source>
        <translation>عرض الملفات المحفوظة واحدًا تلو الآخر</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Remove all</source>
        <translation>إزالة الكل</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>%4 — %1 · %2 · saved %3</source>
        <translation>%4 — %1 · %2 · حُفظ في %3</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Remove</source>
        <translation>إزالة</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Close</source>
        <translation>إغلاق</translation>
    </message>
    <message>
        <location line="-102"/>
        <source>Remove the saved quantized weights of all models</source>
        <translation>إزالة الأوزان المكمَّمة المحفوظة لكل النماذج</translation>
    </message>
    <message>
        <location line="-65"/>
        <source>Use the model folder named above</source>
        <translation>استخدام مجلد النموذج المذكور أعلاه</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Frees the disk space; the next int8 or int4 load of each model quantizes it again.</source>
        <translation>يحرّر مساحة القرص؛ وسيُكمَّم كل نموذج من جديد عند تحميله التالي بصيغة int8 أو int4.</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Remove the saved weights of %1 (%2)</source>
        <translation>إزالة الأوزان المحفوظة لـ %1 ‏(%2)</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Model loading progress</source>
        <translation>تقدّم تحميل النموذج</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel loading</source>
        <translation>إلغاء التحميل</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Loaded: %2 — %1</source>
        <translation>تم التحميل: %2 — %1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Load</source>
        <translation>تحميل</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Load this model</source>
        <translation>تحميل هذا النموذج</translation>
    </message>
</context>
<context>
    <name>PresetBar</name>
    <message>
        <location filename="../ui/components/PresetBar.qml" line="+41"/>
        <location line="+30"/>
        <source>Preset</source>
        <translation>الإعداد المسبق</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Custom</source>
        <translation>مخصص</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Save…</source>
        <translation>حفظ…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save these settings as a preset</source>
        <translation>حفظ هذه الإعدادات كإعداد مسبق</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Delete</source>
        <translation>حذف</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete this preset</source>
        <translation>حذف هذا الإعداد المسبق</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>A preset sets the system prompt and every value below.</source>
        <translation>يضبط الإعداد المسبق موجّه النظام وكل القيم أدناه.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Save the system prompt and these settings as:</source>
        <translation>حفظ موجّه النظام وهذه الإعدادات باسم:</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+1"/>
        <source>Preset name</source>
        <translation>اسم الإعداد المسبق</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A preset of that name is replaced.</source>
        <translation>سيُستبدل الإعداد المسبق الذي يحمل هذا الاسم.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save</source>
        <translation>حفظ</translation>
    </message>
</context>
<context>
    <name>PresetModel</name>
    <message>
        <location filename="../app/presets.cpp" line="+139"/>
        <location line="+11"/>
        <source>Default</source>
        <translation>افتراضي</translation>
    </message>
    <message>
        <location line="-10"/>
        <location line="+11"/>
        <source>Precise</source>
        <translation>دقيق</translation>
    </message>
    <message>
        <location line="-10"/>
        <location line="+10"/>
        <source>Creative</source>
        <translation>إبداعي</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>A preset needs a name.</source>
        <translation>يحتاج الإعداد المسبق إلى اسم.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A preset name can have at most %1 characters.</source>
        <translation>يمكن أن يتكوّن اسم الإعداد المسبق من %1 حرفًا على الأكثر.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>“%1” is a built-in preset; save under another name.</source>
        <translation>«%1» إعداد مسبق مدمج؛ احفظ باسم آخر.</translation>
    </message>
</context>
<context>
    <name>ReplyStats</name>
    <message>
        <location filename="../ui/components/ReplyStats.qml" line="+19"/>
        <source>finished</source>
        <translation>اكتمل</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stop string</source>
        <translation>نص الإيقاف</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>length limit</source>
        <translation>حد الطول</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped</source>
        <translation>أُوقف</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>interrupted</source>
        <translation>انقطع</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>error</source>
        <translation>خطأ</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n رمز</numerusform>
            <numerusform>رمز واحد</numerusform>
            <numerusform>رمزان</numerusform>
            <numerusform>%n رموز</numerusform>
            <numerusform>%n رمزاً</numerusform>
            <numerusform>%n رمز</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>TTFT %1 ms</source>
        <translation>زمن أول رمز %1 مللي ثانية</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 tok/s</source>
        <translation>%1 رمز/ث</translation>
    </message>
</context>
<context>
    <name>SamplingConfig</name>
    <message>
        <location filename="../app/sampling_config.cpp" line="+58"/>
        <source>%1 must be between %2 and %3.</source>
        <translation>يجب أن تكون قيمة %1 بين %2 و%3.</translation>
    </message>
</context>
<context>
    <name>SamplingSettingsPage</name>
    <message>
        <location filename="../ui/pages/SamplingSettingsPage.qml" line="+29"/>
        <source>Sampling</source>
        <translation>أخذ العينات</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Reset to defaults</source>
        <translation>استعادة القيم الافتراضية</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>Close sampling settings</source>
        <translation>إغلاق إعدادات أخذ العينات</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>For this chat. Changes apply from the next reply.</source>
        <translation>لهذه المحادثة. تسري التغييرات من الرد التالي.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Temperature</source>
        <translation>درجة الحرارة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Higher is more varied, lower more focused; 0 always picks the likeliest token.</source>
        <translation>القيمة الأعلى أكثر تنوعاً والأدنى أكثر تركيزاً؛ 0 تختار دائماً الرمز الأرجح.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only the k likeliest tokens can be picked; 0 turns it off.</source>
        <translation>لا يمكن اختيار إلا الرموز k الأرجح؛ 0 يعطّله.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only the likeliest tokens that together reach this probability; 1 turns it off.</source>
        <translation>فقط الرموز الأرجح التي تبلغ معاً هذا الاحتمال؛ 1 يعطّله.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drops tokens less likely than this fraction of the likeliest one; 0 turns it off.</source>
        <translation>يستبعد الرموز الأقل احتمالاً من هذه النسبة من الرمز الأرجح؛ 0 يعطّله.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repetition penalty</source>
        <translation>عقوبة التكرار</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Above 1 discourages repeating recent tokens; 1 turns it off.</source>
        <translation>ما فوق 1 يقلّل تكرار الرموز الحديثة؛ 1 يعطّله.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Penalty window</source>
        <translation>نافذة العقوبة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How many recent tokens the penalties look at; -1 means the whole context.</source>
        <translation>عدد الرموز الحديثة التي تنظر إليها العقوبات؛ ‎-1 يعني السياق كله.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Presence penalty</source>
        <translation>عقوبة الحضور</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subtracted once from every token already used: favours new topics.</source>
        <translation>تُطرح مرة واحدة من كل رمز سبق استخدامه: تشجّع مواضيع جديدة.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Frequency penalty</source>
        <translation>عقوبة التكرار النسبي</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subtracted for each use of a token: reduces word repetition.</source>
        <translation>تُطرح عن كل استخدام للرمز: تقلّل تكرار الكلمات.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Max new tokens</source>
        <translation>أقصى عدد من الرموز الجديدة</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The longest a reply may be; a cut reply can be continued.</source>
        <translation>أقصى طول للرد؛ يمكن متابعة الرد المقطوع.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Context window</source>
        <translation>نافذة السياق</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recent tokens the model keeps besides the system prompt; older turns are dropped.</source>
        <translation>الرموز الحديثة التي يحتفظ بها النموذج إلى جانب موجّه النظام؛ تُحذف الأدوار الأقدم.</translation>
    </message>
    <message>
        <location line="+23"/>
        <location line="+17"/>
        <source>Seed</source>
        <translation>البذرة</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Random</source>
        <translation>عشوائية</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Random seed</source>
        <translation>بذرة عشوائية</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>A fixed seed makes a reply repeatable with the same settings. (default: random)</source>
        <translation>البذرة الثابتة تجعل الرد قابلاً للتكرار بالإعدادات نفسها. (الافتراضي: عشوائية)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Stop strings</source>
        <translation>نصوص الإيقاف</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>One per line</source>
        <translation>واحد في كل سطر</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop strings, one per line</source>
        <translation>نصوص الإيقاف، واحد في كل سطر</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The reply ends before any of these texts. (default: none)</source>
        <translation>ينتهي الرد قبل أي من هذه النصوص. (الافتراضي: لا شيء)</translation>
    </message>
</context>
<context>
    <name>SettingRow</name>
    <message>
        <location filename="../ui/components/SettingRow.qml" line="+72"/>
        <source>(default %1)</source>
        <translation>(الافتراضي %1)</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/dialogs/SettingsDialog.qml" line="+10"/>
        <source>Settings</source>
        <translation>الإعدادات</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+8"/>
        <source>Theme</source>
        <translation>المظهر</translation>
    </message>
    <message>
        <location line="-4"/>
        <location line="+24"/>
        <source>Follow the system</source>
        <translation>اتباع النظام</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>Light</source>
        <translation>فاتح</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dark</source>
        <translation>داكن</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+6"/>
        <source>Font size</source>
        <translation>حجم الخط</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+8"/>
        <source>Language</source>
        <translation>اللغة</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New chats start with</source>
        <translation>تبدأ المحادثات الجديدة بـ</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Preset for new chats</source>
        <translation>الإعداد المسبق للمحادثات الجديدة</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Conversations are stored in</source>
        <translation>تُحفظ المحادثات في</translation>
    </message>
</context>
<context>
    <name>SiblingNavigator</name>
    <message>
        <location filename="../ui/components/SiblingNavigator.qml" line="+18"/>
        <source>Previous version</source>
        <translation>النسخة السابقة</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Version %1 of %2</source>
        <translation>النسخة %1 من %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Next version</source>
        <translation>النسخة التالية</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../ui/components/StatusBar.qml" line="+25"/>
        <source>Loading model…</source>
        <translation>جارٍ تحميل النموذج…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No model</source>
        <translation>لا يوجد نموذج</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Last reply: %1 tok/s</source>
        <translation>آخر رد: %1 رمز/ث</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Model loading progress</source>
        <translation>تقدّم تحميل النموذج</translation>
    </message>
</context>
<context>
    <name>SystemPromptBar</name>
    <message>
        <location filename="../ui/components/SystemPromptBar.qml" line="+41"/>
        <source>System</source>
        <translation>النظام</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>(no system prompt)</source>
        <translation>(لا يوجد موجّه نظام)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>How the assistant should behave (Enter saves, Shift+Enter for a new line)</source>
        <translation>كيف ينبغي أن يتصرف المساعد (Enter للحفظ، Shift+Enter لسطر جديد)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System prompt</source>
        <translation>موجّه النظام</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Preset: %1</source>
        <translation>الإعداد المسبق: %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Preset: custom</source>
        <translation>الإعداد المسبق: مخصص</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Presets and sampling (Ctrl+Shift+S)</source>
        <translation>الإعدادات المسبقة وأخذ العينات (Ctrl+Shift+S)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keep the system prompt as it was</source>
        <translation>إبقاء موجّه النظام كما كان</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save</source>
        <translation>حفظ</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit</source>
        <translation>تعديل</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save the system prompt</source>
        <translation>حفظ موجّه النظام</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit the system prompt</source>
        <translation>تعديل موجّه النظام</translation>
    </message>
</context>
<context>
    <name>TextAttachment</name>
    <message>
        <location filename="../app/text_attachment.cpp" line="+89"/>
        <source>%1 is not there any more.</source>
        <translation>%1 لم يعد موجودًا.</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>%1 is too large to add to a message (%2; the limit is %3, already more than a model reads at once).</source>
        <translation>%1 أكبر من أن يُضاف إلى رسالة (%2؛ الحد %3، وهو أكثر مما يقرؤه النموذج دفعة واحدة).</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 is a folder; only text files and documents (PDF, Word, OpenDocument) can be added to a message.</source>
        <translation>%1 مجلد؛ لا يُضاف إلى الرسالة إلا ملفات نصية ومستندات (PDF وWord وOpenDocument).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is not a text file (in UTF-8), a PDF or a Word or OpenDocument document; only text can be added to a message.</source>
        <translation>%1 ليس ملفًا نصيًا (بترميز UTF-8) ولا مستند PDF أو Word أو OpenDocument؛ لا يُضاف إلى الرسالة إلا نص.</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+6"/>
        <source>%1 could not be read: %2</source>
        <translation>تعذّرت قراءة %1: %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is empty.</source>
        <translation>%1 فارغ.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 was not added: with the files before it the message would hold more than %2, already more than a model reads at once.</source>
        <translation>لم يُضف %1: مع الملفات التي قبله ستحوي الرسالة أكثر من %2، وهو أكثر مما يقرؤه النموذج دفعة واحدة.</translation>
    </message>
    <message>
        <location filename="../app/attachment_reader.cpp" line="+135"/>
        <source>reading it took longer than a minute</source>
        <translation>استغرقت قراءته أكثر من دقيقة</translation>
    </message>
    <message>
        <location line="-47"/>
        <source>%1 is an old Word document (.doc) or one protected by a password. Save it as .docx without a password, or copy its text into the message.</source>
        <translation>%1 مستند Word قديم (.doc) أو محمي بكلمة مرور. احفظه بصيغة .docx دون كلمة مرور، أو انسخ نصه إلى الرسالة.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 cannot be read by this build of Falcon Chat: its reader of PDFs and Word documents (falcon-doc-text) is missing. Copy the text into the message instead.</source>
        <translation>لا تستطيع هذه النسخة من Falcon Chat قراءة %1: قارئ مستندات PDF وWord الخاص بها (falcon-doc-text) غير موجود. انسخ النص إلى الرسالة بدلًا من ذلك.</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>the document reader stopped on it (the file may be damaged)</source>
        <translation>توقف قارئ المستندات عنده (ربما الملف تالف)</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+46"/>
        <source>%1 could not be read: %2.</source>
        <translation>تعذرت قراءة %1: %2.</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>%1 could not be read as a PDF: it is damaged, or not a PDF.</source>
        <translation>تعذرت قراءة %1 كملف PDF: إنه تالف، أو ليس ملف PDF.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 could not be read as a Word or OpenDocument text: it is damaged, or another kind of file.</source>
        <translation>تعذرت قراءة %1 كنص Word أو OpenDocument: إنه تالف، أو ملف من نوع آخر.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is protected by a password. Open it in a PDF viewer and save a copy without one, or copy its text into the message.</source>
        <translation>%1 محمي بكلمة مرور. افتحه في عارض PDF واحفظ نسخة دون كلمة مرور، أو انسخ نصه إلى الرسالة.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 holds no text, only pictures of pages (a scanned document?); the model reads text only.</source>
        <translation>لا يحوي %1 نصًا، بل صور صفحات فقط (مستند ممسوح ضوئيًا؟)؛ النموذج يقرأ النص فقط.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 holds no text.</source>
        <translation>لا يحوي %1 نصًا.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 holds too much text to add to a message (more than %2, already more than a model reads at once).</source>
        <translation>يحوي %1 نصًا أكثر من أن يُضاف إلى رسالة (أكثر من %2، وهو أكثر مما يقرؤه النموذج دفعة واحدة).</translation>
    </message>
</context>
<context>
    <name>TextContextMenu</name>
    <message>
        <location filename="../ui/components/TextContextMenu.qml" line="+22"/>
        <source>Copy</source>
        <translation>نسخ</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Select all</source>
        <translation>تحديد الكل</translation>
    </message>
</context>
<context>
    <name>TokenCount</name>
    <message numerus="yes">
        <location filename="../ui/components/TokenCount.qml" line="+12"/>
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n رمز</numerusform>
            <numerusform>رمز واحد</numerusform>
            <numerusform>رمزان</numerusform>
            <numerusform>%n رموز</numerusform>
            <numerusform>%n رمزاً</numerusform>
            <numerusform>%n رمز</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TransferBar</name>
    <message>
        <location filename="../ui/components/TransferBar.qml" line="+20"/>
        <source>Exporting conversations… An import waits.</source>
        <translation>جارٍ تصدير المحادثات… استيراد في الانتظار.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exporting conversations…</source>
        <translation>جارٍ تصدير المحادثات…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reading file %1 of %2…</source>
        <translation>جارٍ قراءة الملف %1 من %2…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reading the file…</source>
        <translation>جارٍ قراءة الملف…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Importing conversations: %1 of %2 (file %3 of %4)</source>
        <translation>جارٍ استيراد المحادثات: %1 من %2 (الملف %3 من %4)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Importing conversations: %1 of %2</source>
        <translation>جارٍ استيراد المحادثات: %1 من %2</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Cancel</source>
        <translation>إلغاء</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel import</source>
        <translation>إلغاء الاستيراد</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel the import</source>
        <translation>إلغاء الاستيراد</translation>
    </message>
</context>
<context>
    <name>UndoBar</name>
    <message>
        <location filename="../ui/components/UndoBar.qml" line="+19"/>
        <source>Undo</source>
        <translation>تراجع</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Undo the delete</source>
        <translation>التراجع عن الحذف</translation>
    </message>
</context>
<context>
    <name>WindowWarning</name>
    <message>
        <location filename="../ui/components/WindowWarning.qml" line="+11"/>
        <source>Longer than this chat&apos;s context window of %1 tokens: the model will see only the end of it, so put your question last. A larger window (Sampling) keeps more.</source>
        <translation>أطول من نافذة سياق هذه المحادثة البالغة %1 رمزًا: لن يرى النموذج إلا نهايتها، لذا ضع سؤالك في آخرها. نافذة أكبر (أخذ العينات) تحتفظ بالمزيد.</translation>
    </message>
</context>
</TS>
