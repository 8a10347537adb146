<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ChatController</name>
    <message>
        <location filename="../app/chat_controller.cpp" line="+199"/>
        <source>Recent changes to your chats may not be safe on the disk (%1). Check the disk; copy the database or export your chats before you rely on them.</source>
        <translation>Die letzten Änderungen an Ihren Chats sind möglicherweise nicht sicher auf dem Datenträger (%1). Prüfen Sie den Datenträger; kopieren Sie die Datenbank oder exportieren Sie Ihre Chats, bevor Sie sich auf sie verlassen.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>New conversation</source>
        <translation>Neue Unterhaltung</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>The model is still loading. Please wait a moment.</source>
        <translation>Das Modell wird noch geladen. Bitte einen Moment warten.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No model is loaded. Open one from the model menu first.</source>
        <translation>Kein Modell geladen. Öffne zuerst eines über das Modellmenü.</translation>
    </message>
    <message>
        <location filename="../app/chat_controller_conversations.cpp" line="+201"/>
        <source>conversation</source>
        <translation>Unterhaltung</translation>
    </message>
    <message>
        <location line="-13"/>
        <source>falcon-chat conversations %1</source>
        <translation>falcon-chat Unterhaltungen %1</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>LM Studio chats</source>
        <translation>LM-Studio-Chats</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>Nothing was imported: %1</source>
        <translation>Nichts wurde importiert: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Imported %Ln conversation(s), but not: %1</source>
        <translation>
            <numerusform>%Ln Unterhaltung importiert, aber nicht: %1</numerusform>
            <numerusform>%Ln Unterhaltungen importiert, aber nicht: %1</numerusform>
        </translation>
    </message>
    <message>
        <location line="+47"/>
        <source>The unsent message could not be saved: %1</source>
        <translation>Die nicht gesendete Nachricht konnte nicht gespeichert werden: %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../app/chat_controller_model.cpp" line="+31"/>
        <source>%1 in %n file(s)</source>
        <translation>
            <numerusform>%1 in %n Datei</numerusform>
            <numerusform>%1 in %n Dateien</numerusform>
        </translation>
    </message>
    <message>
        <location line="+24"/>
        <source>%1, %2 head · %3</source>
        <extracomment>A saved quantized model: its layers&apos; format, its output head&apos;s format, the backend, e.g. &quot;int4, int8 head · GPU&quot;.</extracomment>
        <translation>%1, Kopf %2 · %3</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 could not be removed.</source>
        <translation>%1 konnte nicht entfernt werden.</translation>
    </message>
    <message>
        <location line="+79"/>
        <location line="+13"/>
        <source>The model could not be loaded: %1</source>
        <translation>Das Modell konnte nicht geladen werden: %1</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>CPU, %n thread(s)</source>
        <translation>
            <numerusform>CPU, %n Thread</numerusform>
            <numerusform>CPU, %n Threads</numerusform>
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
        <translation>Dieser Chat wurde mit einem anderen Modell geführt; sein Text wird für das jetzt geladene Modell neu in Tokens zerlegt, daher können Antworten anders ausfallen als zuvor.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only the last %1 of the %2 tokens of your message fit this chat&apos;s context window, so the model did not see its beginning. A larger window (Sampling) keeps more.</source>
        <translation>Nur die letzten %1 der %2 Tokens deiner Nachricht passen in das Kontextfenster dieses Chats; den Anfang hat das Modell nicht gesehen. Ein größeres Fenster (Sampling) behält mehr.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>this build has no GPU support</source>
        <translation>dieser Build kann keine GPU nutzen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no usable NVIDIA driver (none installed, or one too old for CUDA 13)</source>
        <translation>kein nutzbarer NVIDIA-Treiber (keiner installiert oder einer, der für CUDA 13 zu alt ist)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no NVIDIA GPU found</source>
        <translation>keine NVIDIA-GPU gefunden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>the GPU backend could not be loaded (%1)</source>
        <translation>das GPU-Backend konnte nicht geladen werden (%1)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>GPU not used: %1. Running on the CPU.</source>
        <translation>GPU nicht genutzt: %1. Läuft auf der CPU.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Quantized weights read from the cache.</source>
        <translation>Quantisierte Gewichte aus dem Cache gelesen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Quantized weights saved: the next load of this model skips quantizing.</source>
        <translation>Quantisierte Gewichte gespeichert: Das nächste Laden dieses Modells überspringt das Quantisieren.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The saved quantized weights did not match this model and were made again.</source>
        <translation>Die gespeicherten quantisierten Gewichte passten nicht zu diesem Modell und wurden neu erzeugt.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Quantized weights could not be saved for the next load (%1).</source>
        <translation>Die quantisierten Gewichte konnten nicht für das nächste Laden gespeichert werden (%1).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No example prompts: %1</source>
        <translation>Keine Beispielfragen: %1</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>%1 GiB</source>
        <translation>%1 GiB</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 MiB</source>
        <translation>%1 MiB</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Not enough GPU memory on %1: the model needs %2 (weights %3, a KV cache of %4 tokens %5, scratch and CUDA %6), but only %7 of %8 are free.</source>
        <translation>Nicht genug GPU-Speicher auf %1: Das Modell braucht %2 (Gewichte %3, ein KV-Cache von %4 Tokens %5, Arbeitsspeicher und CUDA %6), aber nur %7 von %8 sind frei.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 weights would need %2 and fit.</source>
        <translation>%1-Gewichte bräuchten %2 und passen.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>With these weights a KV cache of up to %1 tokens fits.</source>
        <translation>Mit diesen Gewichten passt ein KV-Cache von bis zu %1 Tokens.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The weights alone do not fit.</source>
        <translation>Schon die Gewichte allein passen nicht.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Even %1 weights would need %2.</source>
        <translation>Selbst %1-Gewichte bräuchten %2.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The CPU backend can run it instead.</source>
        <translation>Das CPU-Backend kann es stattdessen ausführen.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>weights %1 + cache %2 (%3)</source>
        <translation>Gewichte %1 + Cache %2 (%3)</translation>
    </message>
    <message>
        <location line="-237"/>
        <location line="+238"/>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>RAM</source>
        <translation>RAM</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 of %2 in use</source>
        <translation>%1 von %2 belegt</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <location filename="../ui/pages/ChatPage.qml" line="+33"/>
        <source>Add files to the message</source>
        <translation>Dateien zur Nachricht hinzufügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Hide the conversations</source>
        <translation>Unterhaltungen ausblenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show the conversations</source>
        <translation>Unterhaltungen einblenden</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sampling settings of this chat</source>
        <translation>Sampling-Einstellungen dieses Chats</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Copied</source>
        <translation>Kopiert</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Link copied (links are never opened)</source>
        <translation>Link kopiert (Links werden nie geöffnet)</translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <location filename="../ui/components/CodeBlock.qml" line="+52"/>
        <source>code</source>
        <translation>Code</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy the code</source>
        <translation>Den Code kopieren</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Show less</source>
        <translation>Weniger zeigen</translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <source>Show all (%Ln more line(s))</source>
        <translation>
            <numerusform>Alle zeigen (%Ln weitere Zeile)</numerusform>
            <numerusform>Alle zeigen (%Ln weitere Zeilen)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../ui/components/Composer.qml" line="+68"/>
        <source>Add text files or documents (PDF, Word, OpenDocument) to the message</source>
        <translation>Textdateien oder Dokumente (PDF, Word, OpenDocument) zur Nachricht hinzufügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add text files or documents (PDF, Word, OpenDocument) to the message (or drop them on the window)</source>
        <translation>Textdateien oder Dokumente (PDF, Word, OpenDocument) zur Nachricht hinzufügen (oder auf das Fenster ziehen)</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Type a message… (Enter sends, Shift+Enter for a new line)</source>
        <translation>Nachricht eingeben… (Enter sendet, Umschalt+Enter für eine neue Zeile)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Message</source>
        <translation>Nachricht</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Stop the reply</source>
        <translation>Die Antwort anhalten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Send the message</source>
        <translation>Die Nachricht senden</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Reading the text of %1…</source>
        <translation>Der Text von %1 wird gelesen …</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop reading the document</source>
        <translation>Das Lesen des Dokuments abbrechen</translation>
    </message>
</context>
<context>
    <name>ContextMapBar</name>
    <message>
        <location filename="../ui/components/ContextMapBar.qml" line="+25"/>
        <source>Context</source>
        <translation>Kontext</translation>
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
        <translation>Angeheftet (Systemprompt): %1 Tokens
Verdrängt (nicht mehr sichtbar): %2 Tokens
Aktuelles Fenster: %3 von %4 Tokens</translation>
    </message>
</context>
<context>
    <name>ConversationListDelegate</name>
    <message>
        <location filename="../ui/components/ConversationListDelegate.qml" line="+27"/>
        <source>%1, unsent draft</source>
        <translation>%1, ungesendeter Entwurf</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Pinned</source>
        <translation>Angeheftet</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Untitled</source>
        <translation>Ohne Titel</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Draft</source>
        <translation>Entwurf</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Conversation title</source>
        <translation>Titel der Unterhaltung</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Actions for %1</source>
        <translation>Aktionen für %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unpin</source>
        <translation>Lösen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Pin</source>
        <translation>Anheften</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unarchive</source>
        <translation>Aus dem Archiv holen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Archive</source>
        <translation>Archivieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export as Markdown…</source>
        <translation>Als Markdown exportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export as JSON…</source>
        <translation>Als JSON exportieren…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
</context>
<context>
    <name>ConversationSidebar</name>
    <message>
        <location filename="../ui/components/ConversationSidebar.qml" line="+56"/>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start a new conversation</source>
        <translation>Eine neue Unterhaltung beginnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New chat (Ctrl+N)</source>
        <translation>Neuer Chat (Strg+N)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>More actions</source>
        <translation>Weitere Aktionen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Import conversations…</source>
        <translation>Unterhaltungen importieren…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export all conversations…</source>
        <translation>Alle Unterhaltungen exportieren…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Search all chats (Ctrl+F)</source>
        <translation>Alle Chats durchsuchen (Strg+F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search all conversations</source>
        <translation>Alle Unterhaltungen durchsuchen</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Show archived</source>
        <translation>Archivierte zeigen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show archived conversations</source>
        <translation>Archivierte Unterhaltungen zeigen</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Conversations</source>
        <translation>Unterhaltungen</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>No archived conversations.</source>
        <translation>Keine archivierten Unterhaltungen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No conversations yet.
Start one with New chat.</source>
        <translation>Noch keine Unterhaltungen.
Beginne eine mit „Neuer Chat“.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Search results</source>
        <translation>Suchergebnisse</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No matches</source>
        <translation>Keine Treffer</translation>
    </message>
</context>
<context>
    <name>ConversationTransfer</name>
    <message>
        <location filename="../app/conversation_transfer.cpp" line="+146"/>
        <source>this is not an export of falcon-chat, ChatGPT (conversations.json), Open WebUI or LM Studio</source>
        <translation>dies ist kein Export von falcon-chat, ChatGPT (conversations.json), Open WebUI oder LM Studio</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>this is a ZIP archive: unzip it and import the JSON file inside (conversations.json in ChatGPT&apos;s data export)</source>
        <translation>dies ist ein ZIP-Archiv: Entpacken Sie es und importieren Sie die JSON-Datei darin (conversations.json im Datenexport von ChatGPT)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>not valid JSON</source>
        <translation>kein gültiges JSON</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>it was exported by a newer falcon-chat; update falcon-chat to import it</source>
        <translation>die Datei stammt von einem neueren falcon-chat; aktualisieren Sie falcon-chat, um sie zu importieren</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>%1: %2 MiB is more than a conversations export can be (%3 MiB)</source>
        <translation>%1: %2 MiB sind mehr, als ein Export von Unterhaltungen sein kann (%3 MiB)</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Could not write %1: %2</source>
        <translation>%1 konnte nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>DateGroup</name>
    <message>
        <location filename="../app/date_group.cpp" line="+18"/>
        <source>Pinned</source>
        <translation>Angeheftet</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Today</source>
        <translation>Heute</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Yesterday</source>
        <translation>Gestern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Previous 7 days</source>
        <translation>Letzte 7 Tage</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Older</source>
        <translation>Älter</translation>
    </message>
</context>
<context>
    <name>EmptyChatHint</name>
    <message>
        <location filename="../ui/components/EmptyChatHint.qml" line="+29"/>
        <source>Ask anything. Everything runs on this computer.</source>
        <translation>Frag, was du willst. Alles läuft auf diesem Computer.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loading the model… you can already type.</source>
        <translation>Das Modell wird geladen… du kannst schon tippen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No model is loaded yet.</source>
        <translation>Noch ist kein Modell geladen.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Model loading progress</source>
        <translation>Ladefortschritt des Modells</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Ask: %1</source>
        <translation>Fragen: %1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>This is the small demo model that comes with the app. For real answers, open a Falcon checkpoint (Ctrl+O).</source>
        <translation>Dies ist das kleine Demo-Modell, das mit der App kommt. Für echte Antworten öffne einen Falcon-Checkpoint (Strg+O).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Open a model folder…</source>
        <translation>Modellordner öffnen…</translation>
    </message>
</context>
<context>
    <name>FileChooserDialog</name>
    <message>
        <location filename="../ui/dialogs/FileChooserDialog.qml" line="+26"/>
        <source>Open</source>
        <translation>Öffnen</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>Hidden files</source>
        <translation>Versteckte Dateien</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Files shown</source>
        <translation>Angezeigte Dateien</translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>%n file(s) selected</source>
        <translation>
            <numerusform>%n Datei ausgewählt</numerusform>
            <numerusform>%n Dateien ausgewählt</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No file selected</source>
        <translation>Keine Datei ausgewählt</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>FolderBrowserModel</name>
    <message>
        <location filename="../app/folder_browser_model.cpp" line="+60"/>
        <source>%1 does not exist.</source>
        <translation>%1 existiert nicht.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 cannot be read (no permission).</source>
        <translation>%1 kann nicht gelesen werden (keine Berechtigung).</translation>
    </message>
    <message>
        <location line="+230"/>
        <source>Folders asked for earlier have not answered yet (a network share?); try again later.</source>
        <translation>Zuvor angefragte Ordner antworten noch nicht (eine Netzwerkfreigabe?); versuche es später noch einmal.</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>The folder could not be read now (the system refused a thread); try again.</source>
        <translation>Der Ordner konnte gerade nicht gelesen werden (das System hat einen Thread verweigert); versuche es noch einmal.</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Home</source>
        <translation>Persönlicher Ordner</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Hugging Face cache</source>
        <translation>Hugging-Face-Cache</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Documents</source>
        <translation>Dokumente</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Downloads</source>
        <translation>Downloads</translation>
    </message>
</context>
<context>
    <name>FolderBrowserPane</name>
    <message>
        <location filename="../ui/components/FolderBrowserPane.qml" line="+62"/>
        <source>Up one folder (Backspace)</source>
        <translation>Einen Ordner nach oben (Rücktaste)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Up one folder</source>
        <translation>Einen Ordner nach oben</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Type or paste a folder path</source>
        <translation>Ordnerpfad eingeben oder einfügen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder path</source>
        <translation>Ordnerpfad</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>%1, folder with a model</source>
        <translation>%1, Ordner mit einem Modell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1, folder</source>
        <translation>%1, Ordner</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1, file, %2</source>
        <translation>%1, Datei, %2</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Select %1</source>
        <translation>%1 auswählen</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No folders or matching files here.</source>
        <translation>Hier gibt es keine Ordner und keine passenden Dateien.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This folder is empty.</source>
        <translation>Dieser Ordner ist leer.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reading the folder…</source>
        <translation>Der Ordner wird gelesen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only the first %1 entries are shown; type a path to go further.</source>
        <translation>Nur die ersten %1 Einträge werden gezeigt; gib einen Pfad ein, um weiterzugehen.</translation>
    </message>
</context>
<context>
    <name>InferenceWorker</name>
    <message>
        <location filename="../app/inference_worker.cpp" line="+77"/>
        <source>The inference engine could not start.</source>
        <translation>Die Inferenz-Engine konnte nicht starten.</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Not enough memory to load this model.</source>
        <translation>Nicht genug Speicher, um dieses Modell zu laden.</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>No model is loaded. Open one from the model menu first.</source>
        <translation>Kein Modell geladen. Öffne zuerst eines über das Modellmenü.</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Out of memory while generating the reply.</source>
        <translation>Kein Speicher mehr beim Erzeugen der Antwort.</translation>
    </message>
</context>
<context>
    <name>JumpToLatestButton</name>
    <message>
        <location filename="../ui/components/JumpToLatestButton.qml" line="+25"/>
        <location line="+3"/>
        <source>Jump to the latest message</source>
        <translation>Zur neuesten Nachricht springen</translation>
    </message>
</context>
<context>
    <name>KeyboardShortcutsDialog</name>
    <message>
        <location filename="../ui/dialogs/KeyboardShortcutsDialog.qml" line="+12"/>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
</context>
<context>
    <name>LoadIssue</name>
    <message>
        <location filename="../app/load_issue_words.cpp" line="+21"/>
        <source>This folder holds a “%1” model, not a Falcon model: falcon-chat runs Falcon models only (model_type falcon, RefinedWeb or RefinedWebModel in config.json).</source>
        <translation>Dieser Ordner enthält ein „%1“-Modell, kein Falcon-Modell: falcon-chat führt nur Falcon-Modelle aus (model_type falcon, RefinedWeb oder RefinedWebModel in config.json).</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 holds only PyTorch pickle weights (%2), which are refused because unpickling can run arbitrary code. Convert the checkpoint to safetensors first (in transformers: save_pretrained(..., safe_serialization=True)).</source>
        <translation>%1 enthält nur PyTorch-Pickle-Gewichte (%2). Sie werden abgelehnt, weil das Entpickeln beliebigen Code ausführen kann. Wandeln Sie den Checkpoint zuerst in safetensors um (in transformers: save_pretrained(..., safe_serialization=True)).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>There are no model weights (model.safetensors) in %1.</source>
        <translation>In %1 gibt es keine Modellgewichte (model.safetensors).</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 holds several .safetensors files but no model.safetensors.index.json, which says what each of them holds. Download the index too.</source>
        <translation>%1 enthält mehrere .safetensors-Dateien, aber keine model.safetensors.index.json, die angibt, was jede davon enthält. Laden Sie auch den Index herunter.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 names files that are not in %2: %3. The download is not complete; download the missing files.</source>
        <translation>%1 nennt Dateien, die nicht in %2 liegen: %3. Der Download ist unvollständig; laden Sie die fehlenden Dateien herunter.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 ends before its data does (tensor %2 ends at byte %3 of the data, the file holds %4): the download did not finish. Download this file again.</source>
        <translation>%1 endet vor seinen Daten (Tensor %2 endet bei Byte %3 der Daten, die Datei enthält %4): Der Download wurde nicht beendet. Laden Sie diese Datei erneut herunter.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 ends inside its own header (%2 bytes of header, %3 bytes of file): the download did not finish. Download this file again.</source>
        <translation>%1 endet innerhalb seines eigenen Headers (%2 Bytes Header, %3 Bytes Datei): Der Download wurde nicht beendet. Laden Sie diese Datei erneut herunter.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is too short to be a safetensors file: the download did not finish. Download this file again.</source>
        <translation>%1 ist zu kurz für eine safetensors-Datei: Der Download wurde nicht beendet. Laden Sie diese Datei erneut herunter.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 holds %3 weights (tensor %2). falcon-chat reads BF16, F16 and F32 checkpoints only, not pre-quantized ones such as GPTQ or AWQ: take the original checkpoint (falcon-chat quantizes it to int8 or int4 itself).</source>
        <translation>%1 enthält %3-Gewichte (Tensor %2). falcon-chat liest nur BF16-, F16- und F32-Checkpoints, keine vorquantisierten wie GPTQ oder AWQ: Nehmen Sie den ursprünglichen Checkpoint (falcon-chat quantisiert ihn selbst zu int8 oder int4).</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>There is no tokenizer in %1: a model folder needs tokenizer.json (Hugging Face) or tokenizer.model (sentencepiece).</source>
        <translation>In %1 gibt es keinen Tokenizer: Ein Modellordner braucht tokenizer.json (Hugging Face) oder tokenizer.model (sentencepiece).</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>The weights in %1 do not fit its config.json (%2). The config.json belongs to another model, or the weights are incomplete: download both from the same place again.</source>
        <translation>Die Gewichte in %1 passen nicht zu seiner config.json (%2). Die config.json gehört zu einem anderen Modell, oder die Gewichte sind unvollständig: Laden Sie beide erneut von derselben Quelle herunter.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 is damaged or not a safetensors file (%2). Download this file again.</source>
        <translation>%1 ist beschädigt oder keine safetensors-Datei (%2). Laden Sie diese Datei erneut herunter.</translation>
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
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search all chats</source>
        <translation>Alle Chats durchsuchen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Previous chat in the list</source>
        <translation>Vorheriger Chat in der Liste</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Next chat in the list</source>
        <translation>Nächster Chat in der Liste</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Regenerate the last reply</source>
        <translation>Letzte Antwort neu erzeugen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Previous version of the last reply</source>
        <translation>Vorherige Version der letzten Antwort</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Next version of the last reply</source>
        <translation>Nächste Version der letzten Antwort</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy the last reply</source>
        <translation>Letzte Antwort kopieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last reply copied</source>
        <translation>Letzte Antwort kopiert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show or hide the conversation list</source>
        <translation>Unterhaltungsliste ein- oder ausblenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Show or hide the sampling settings</source>
        <translation>Sampling-Einstellungen ein- oder ausblenden</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open a model</source>
        <translation>Modell öffnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Larger text</source>
        <translation>Größere Schrift</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Smaller text</source>
        <translation>Kleinere Schrift</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text size back to normal</source>
        <translation>Normale Schriftgröße</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keyboard shortcuts</source>
        <translation>Tastenkürzel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>Preset saved</source>
        <translation>Voreinstellung gespeichert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preset deleted</source>
        <translation>Voreinstellung gelöscht</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Anywhere</source>
        <translation>Überall</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the reply, or close a list or panel over the chat</source>
        <translation>Antwort stoppen oder eine Liste bzw. ein Panel über dem Chat schließen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In the message field</source>
        <translation>Im Nachrichtenfeld</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New line</source>
        <translation>Neue Zeile</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Leave the field</source>
        <translation>Feld verlassen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>In the search results</source>
        <translation>In den Suchergebnissen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a result</source>
        <translation>Ein Ergebnis wählen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open it</source>
        <translation>Es öffnen</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Export all conversations</source>
        <translation>Alle Unterhaltungen exportieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export as JSON</source>
        <translation>Als JSON exportieren</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export as Markdown</source>
        <translation>Als Markdown exportieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>JSON files (*.json)</source>
        <translation>JSON-Dateien (*.json)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Markdown files (*.md)</source>
        <translation>Markdown-Dateien (*.md)</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Exported to %1</source>
        <translation>Exportiert nach %1</translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Imported %Ln conversation(s)</source>
        <translation>
            <numerusform>%Ln Unterhaltung importiert</numerusform>
            <numerusform>%Ln Unterhaltungen importiert</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Import cancelled after %Ln conversation(s)</source>
        <translation>
            <numerusform>Import nach %Ln Unterhaltung abgebrochen</numerusform>
            <numerusform>Import nach %Ln Unterhaltungen abgebrochen</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Import cancelled: nothing was imported</source>
        <translation>Import abgebrochen: nichts wurde importiert</translation>
    </message>
    <message>
        <location line="-41"/>
        <source>Import conversations</source>
        <translation>Unterhaltungen importieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Chat exports (*.json)</source>
        <translation>Chat-Exporte (*.json)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All files</source>
        <translation>Alle Dateien</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Deleted “%1”</source>
        <translation>„%1“ gelöscht</translation>
    </message>
</context>
<context>
    <name>MessageActions</name>
    <message>
        <location filename="../ui/components/MessageActions.qml" line="+25"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Regenerate</source>
        <translation>Neu erzeugen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <location filename="../ui/components/MessageDelegate.qml" line="+63"/>
        <source>You</source>
        <translation>Du</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Falcon</source>
        <translation>Falcon</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>(stopped before any text: Regenerate or Continue)</source>
        <translation>(vor dem ersten Wort angehalten: Neu erzeugen oder Fortsetzen)</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>The model saw only the last %1 of the %2 tokens of the message this answers (longer than the chat&apos;s context window).</source>
        <translation>Das Modell hat nur die letzten %1 der %2 Tokens der Nachricht gesehen, auf die dies antwortet (länger als das Kontextfenster des Chats).</translation>
    </message>
</context>
<context>
    <name>MessageEditor</name>
    <message>
        <location filename="../ui/components/MessageEditor.qml" line="+38"/>
        <source>Edit the message</source>
        <translation>Die Nachricht bearbeiten</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Save &amp;&amp; resend</source>
        <translation>Speichern &amp;&amp; erneut senden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save and resend</source>
        <translation>Speichern und erneut senden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>ModelButton</name>
    <message>
        <location filename="../ui/components/ModelButton.qml" line="+11"/>
        <source>Loading %2… %1%</source>
        <translation>%2 wird geladen… %1 %</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model failed — choose another</source>
        <translation>Modell fehlgeschlagen – anderes wählen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a model…</source>
        <translation>Modell öffnen…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose the model</source>
        <translation>Das Modell wählen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model (Ctrl+O)</source>
        <translation>Modell (Strg+O)</translation>
    </message>
</context>
<context>
    <name>ModelFolderBrowser</name>
    <message>
        <location filename="../ui/dialogs/ModelFolderBrowser.qml" line="+15"/>
        <source>Choose a model folder</source>
        <translation>Einen Modellordner wählen</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>This folder holds a model (config.json).</source>
        <translation>Dieser Ordner enthält ein Modell (config.json).</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Hidden folders</source>
        <translation>Versteckte Ordner</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Choose</source>
        <translation>Wählen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the folder %1</source>
        <translation>Den Ordner %1 wählen</translation>
    </message>
</context>
<context>
    <name>ModelInspector</name>
    <message>
        <location filename="../app/model_inspector.cpp" line="+20"/>
        <source>new architecture, %1 KV heads, %2 LayerNorm(s)</source>
        <translation>neue Architektur, %1 KV-Köpfe, %2 LayerNorm(s)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>multi-query (one KV head)</source>
        <translation>Multi-Query (ein KV-Kopf)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>classic multi-head attention</source>
        <translation>klassische Multi-Head-Attention</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>parallel blocks</source>
        <translation>parallele Blöcke</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sequential blocks</source>
        <translation>sequenzielle Blöcke</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>%1 does not exist (a model is a Hugging Face folder with config.json)</source>
        <translation>%1 existiert nicht (ein Modell ist ein Hugging-Face-Ordner mit config.json)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is a GGUF/GGML file (llama.cpp, LM Studio, GPT4All), which is not supported; falcon-chat loads Hugging Face checkpoint folders: config.json with the *.safetensors weights</source>
        <translation>%1 ist eine GGUF/GGML-Datei (llama.cpp, LM Studio, GPT4All), die nicht unterstützt wird; falcon-chat lädt Hugging-Face-Checkpoint-Ordner: config.json mit den *.safetensors-Gewichten</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1 is a PyTorch pickle file, which is not loaded (unpickling can run code); convert the checkpoint to safetensors with Hugging Face&apos;s tools and choose the folder with its config.json</source>
        <translation>%1 ist eine PyTorch-Pickle-Datei, die nicht geladen wird (Entpickeln kann Code ausführen); wandeln Sie den Checkpoint mit den Werkzeugen von Hugging Face in safetensors um und wählen Sie den Ordner mit seiner config.json</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 is a file, not a model folder: choose the folder that holds it (%2)</source>
        <translation>%1 ist eine Datei, kein Modellordner: Wählen Sie den Ordner, der sie enthält (%2)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 is a file, not a model folder (a model is a Hugging Face folder with config.json)</source>
        <translation>%1 ist eine Datei, kein Modellordner (ein Modell ist ein Hugging-Face-Ordner mit config.json)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no config.json in %1, but in a folder inside it: choose %2</source>
        <translation>Keine config.json in %1, aber in einem Ordner darin: Wählen Sie %2</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>no config.json in %1: it holds several model folders (%2); choose one of them</source>
        <translation>Keine config.json in %1: Er enthält mehrere Modellordner (%2); wählen Sie einen davon</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>no config.json in %1: it holds a GGUF/GGML file (llama.cpp, LM Studio, GPT4All), which is not supported; falcon-chat loads Hugging Face checkpoint folders: config.json with the *.safetensors weights</source>
        <translation>Keine config.json in %1: Er enthält eine GGUF/GGML-Datei (llama.cpp, LM Studio, GPT4All), die nicht unterstützt wird; falcon-chat lädt Hugging-Face-Checkpoint-Ordner: config.json mit den *.safetensors-Gewichten</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>no config.json in %1: it holds a PyTorch pickle file, which is not loaded (unpickling can run code); convert the checkpoint to safetensors with Hugging Face&apos;s tools and choose the folder with its config.json</source>
        <translation>Keine config.json in %1: Er enthält eine PyTorch-Pickle-Datei, die nicht geladen wird (Entpickeln kann Code ausführen); wandeln Sie den Checkpoint mit den Werkzeugen von Hugging Face in safetensors um und wählen Sie den Ordner mit seiner config.json</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>no config.json in %1 (is this a Hugging Face model folder?)</source>
        <translation>Keine config.json in %1 (ist das ein Hugging-Face-Modellordner?)</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The folder %1 does not exist.</source>
        <translation>Der Ordner %1 existiert nicht.</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>No tokenizer (tokenizer.json or tokenizer.model) in this folder: the model cannot chat.</source>
        <translation>Kein Tokenizer (tokenizer.json oder tokenizer.model) in diesem Ordner: das Modell kann nicht chatten.</translation>
    </message>
</context>
<context>
    <name>ModelPickerDialog</name>
    <message>
        <location filename="../ui/dialogs/ModelPickerDialog.qml" line="+12"/>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <location line="+115"/>
        <source>Choose a model folder</source>
        <translation>Einen Modellordner wählen</translation>
    </message>
    <message>
        <location line="-49"/>
        <source>, CPU</source>
        <translation>, CPU</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>, GPU</source>
        <translation>, GPU</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%2 (bundled, %1)</source>
        <translation>%2 (mitgeliefert, %1)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%2 (%1)</source>
        <translation>%2 (%1)</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Recent</source>
        <translation>Zuletzt</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Models loaded before…</source>
        <translation>Zuvor geladene Modelle…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Models loaded before</source>
        <translation>Zuvor geladene Modelle</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No folder chosen</source>
        <translation>Kein Ordner gewählt</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose folder…</source>
        <translation>Ordner wählen…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Architecture</source>
        <translation>Architektur</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+40"/>
        <source>Weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <location line="-38"/>
        <source>Tokenizer</source>
        <translation>Tokenizer</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>none found</source>
        <translation>keiner gefunden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Context length</source>
        <translation>Kontextlänge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 tokens</source>
        <translation>%1 Tokens</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Use that folder</source>
        <translation>Diesen Ordner verwenden</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Run on</source>
        <translation>Ausführen auf</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Automatic (GPU if available)</source>
        <translation>Automatisch (GPU, falls vorhanden)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>GPU (CUDA)</source>
        <translation>GPU (CUDA)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>bf16 (exact)</source>
        <translation>bf16 (exakt)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>int8 (half the memory)</source>
        <translation>int8 (halber Speicher)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>int4 (a quarter)</source>
        <translation>int4 (ein Viertel)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Weight format</source>
        <translation>Gewichtsformat</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>int8 and int4 are quantized the first time the model loads, which takes a moment on the CPU; later loads read them from a cache.</source>
        <translation>int8 und int4 werden beim ersten Laden des Modells quantisiert, was auf der CPU einen Moment dauert; spätere Ladevorgänge lesen sie aus einem Cache.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Saved quantized weights: %1</source>
        <translation>Gespeicherte quantisierte Gewichte: %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Hide files</source>
        <translation>Dateien ausblenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Files…</source>
        <translation>Dateien…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hide the saved files</source>
        <translation>Die gespeicherten Dateien ausblenden</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show the saved files one by one</source>
        <translation>Die gespeicherten Dateien einzeln zeigen</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Remove all</source>
        <translation>Alle entfernen</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>%4 — %1 · %2 · saved %3</source>
        <translation>%4 — %1 · %2 · gespeichert am %3</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="-102"/>
        <source>Remove the saved quantized weights of all models</source>
        <translation>Die gespeicherten quantisierten Gewichte aller Modelle entfernen</translation>
    </message>
    <message>
        <location line="-65"/>
        <source>Use the model folder named above</source>
        <translation>Den oben genannten Modellordner verwenden</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>Frees the disk space; the next int8 or int4 load of each model quantizes it again.</source>
        <translation>Gibt den Speicherplatz frei; das nächste Laden eines Modells in int8 oder int4 quantisiert es erneut.</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Remove the saved weights of %1 (%2)</source>
        <translation>Die gespeicherten Gewichte von %1 (%2) entfernen</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Model loading progress</source>
        <translation>Ladefortschritt des Modells</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel loading</source>
        <translation>Laden abbrechen</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Loaded: %2 — %1</source>
        <translation>Geladen: %2 — %1</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Load</source>
        <translation>Laden</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Load this model</source>
        <translation>Dieses Modell laden</translation>
    </message>
</context>
<context>
    <name>PresetBar</name>
    <message>
        <location filename="../ui/components/PresetBar.qml" line="+41"/>
        <location line="+30"/>
        <source>Preset</source>
        <translation>Voreinstellung</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Custom</source>
        <translation>Eigene Werte</translation>
    </message>
    <message>
        <location line="-26"/>
        <source>Save…</source>
        <translation>Speichern…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save these settings as a preset</source>
        <translation>Diese Einstellungen als Voreinstellung speichern</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete this preset</source>
        <translation>Diese Voreinstellung löschen</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>A preset sets the system prompt and every value below.</source>
        <translation>Eine Voreinstellung setzt den Systemprompt und alle Werte darunter.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Save the system prompt and these settings as:</source>
        <translation>Systemprompt und diese Einstellungen speichern als:</translation>
    </message>
    <message>
        <location line="+6"/>
        <location line="+1"/>
        <source>Preset name</source>
        <translation>Name der Voreinstellung</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>A preset of that name is replaced.</source>
        <translation>Die Voreinstellung dieses Namens wird ersetzt.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
</context>
<context>
    <name>PresetModel</name>
    <message>
        <location filename="../app/presets.cpp" line="+139"/>
        <location line="+11"/>
        <source>Default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <location line="-10"/>
        <location line="+11"/>
        <source>Precise</source>
        <translation>Präzise</translation>
    </message>
    <message>
        <location line="-10"/>
        <location line="+10"/>
        <source>Creative</source>
        <translation>Kreativ</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>A preset needs a name.</source>
        <translation>Eine Voreinstellung braucht einen Namen.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A preset name can have at most %1 characters.</source>
        <translation>Der Name einer Voreinstellung darf höchstens %1 Zeichen haben.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>“%1” is a built-in preset; save under another name.</source>
        <translation>„%1“ ist eine eingebaute Voreinstellung; speichere unter einem anderen Namen.</translation>
    </message>
</context>
<context>
    <name>ReplyStats</name>
    <message>
        <location filename="../ui/components/ReplyStats.qml" line="+19"/>
        <source>finished</source>
        <translation>fertig</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stop string</source>
        <translation>Stoppzeichenfolge</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>length limit</source>
        <translation>Längenlimit</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>interrupted</source>
        <translation>unterbrochen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>error</source>
        <translation>Fehler</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n Token</numerusform>
            <numerusform>%n Tokens</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source>TTFT %1 ms</source>
        <translation>TTFT %1 ms</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 tok/s</source>
        <translation>%1 Tok./s</translation>
    </message>
</context>
<context>
    <name>SamplingConfig</name>
    <message>
        <location filename="../app/sampling_config.cpp" line="+58"/>
        <source>%1 must be between %2 and %3.</source>
        <translation>%1 muss zwischen %2 und %3 liegen.</translation>
    </message>
</context>
<context>
    <name>SamplingSettingsPage</name>
    <message>
        <location filename="../ui/pages/SamplingSettingsPage.qml" line="+29"/>
        <source>Sampling</source>
        <translation>Sampling</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Reset to defaults</source>
        <translation>Auf Standardwerte zurücksetzen</translation>
    </message>
    <message>
        <location line="-19"/>
        <source>Close sampling settings</source>
        <translation>Sampling-Einstellungen schließen</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>For this chat. Changes apply from the next reply.</source>
        <translation>Für diesen Chat. Änderungen gelten ab der nächsten Antwort.</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Higher is more varied, lower more focused; 0 always picks the likeliest token.</source>
        <translation>Höher ist abwechslungsreicher, niedriger fokussierter; 0 wählt immer das wahrscheinlichste Token.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only the k likeliest tokens can be picked; 0 turns it off.</source>
        <translation>Nur die k wahrscheinlichsten Tokens können gewählt werden; 0 schaltet es aus.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only the likeliest tokens that together reach this probability; 1 turns it off.</source>
        <translation>Nur die wahrscheinlichsten Tokens, die zusammen diese Wahrscheinlichkeit erreichen; 1 schaltet es aus.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Drops tokens less likely than this fraction of the likeliest one; 0 turns it off.</source>
        <translation>Verwirft Tokens, die unwahrscheinlicher sind als dieser Anteil des wahrscheinlichsten; 0 schaltet es aus.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repetition penalty</source>
        <translation>Wiederholungsstrafe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Above 1 discourages repeating recent tokens; 1 turns it off.</source>
        <translation>Über 1 hält davon ab, kürzliche Tokens zu wiederholen; 1 schaltet es aus.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Penalty window</source>
        <translation>Strafenfenster</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How many recent tokens the penalties look at; -1 means the whole context.</source>
        <translation>Wie viele kürzliche Tokens die Strafen betrachten; -1 bedeutet den ganzen Kontext.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Presence penalty</source>
        <translation>Präsenzstrafe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subtracted once from every token already used: favours new topics.</source>
        <translation>Einmal von jedem bereits benutzten Token abgezogen: begünstigt neue Themen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Frequency penalty</source>
        <translation>Häufigkeitsstrafe</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Subtracted for each use of a token: reduces word repetition.</source>
        <translation>Für jede Verwendung eines Tokens abgezogen: verringert Wortwiederholungen.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Max new tokens</source>
        <translation>Max. neue Tokens</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The longest a reply may be; a cut reply can be continued.</source>
        <translation>Die größte Länge einer Antwort; eine abgeschnittene Antwort kann fortgesetzt werden.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Context window</source>
        <translation>Kontextfenster</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recent tokens the model keeps besides the system prompt; older turns are dropped.</source>
        <translation>Kürzliche Tokens, die das Modell neben dem Systemprompt behält; ältere Beiträge entfallen.</translation>
    </message>
    <message>
        <location line="+23"/>
        <location line="+17"/>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <location line="-14"/>
        <source>Random</source>
        <translation>Zufällig</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Random seed</source>
        <translation>Zufälliger Seed</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>A fixed seed makes a reply repeatable with the same settings. (default: random)</source>
        <translation>Ein fester Seed macht eine Antwort mit denselben Einstellungen wiederholbar. (Standard: zufällig)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Stop strings</source>
        <translation>Stoppzeichenfolgen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>One per line</source>
        <translation>Eine pro Zeile</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop strings, one per line</source>
        <translation>Stoppzeichenfolgen, eine pro Zeile</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The reply ends before any of these texts. (default: none)</source>
        <translation>Die Antwort endet vor jedem dieser Texte. (Standard: keine)</translation>
    </message>
</context>
<context>
    <name>SettingRow</name>
    <message>
        <location filename="../ui/components/SettingRow.qml" line="+72"/>
        <source>(default %1)</source>
        <translation>(Standard %1)</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../ui/dialogs/SettingsDialog.qml" line="+10"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+8"/>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <location line="-4"/>
        <location line="+24"/>
        <source>Follow the system</source>
        <translation>Wie das System</translation>
    </message>
    <message>
        <location line="-24"/>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+6"/>
        <source>Font size</source>
        <translation>Schriftgröße</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+8"/>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>New chats start with</source>
        <translation>Neue Chats beginnen mit</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Preset for new chats</source>
        <translation>Voreinstellung für neue Chats</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Conversations are stored in</source>
        <translation>Unterhaltungen werden gespeichert in</translation>
    </message>
</context>
<context>
    <name>SiblingNavigator</name>
    <message>
        <location filename="../ui/components/SiblingNavigator.qml" line="+18"/>
        <source>Previous version</source>
        <translation>Vorherige Version</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>%1/%2</source>
        <translation>%1/%2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Version %1 of %2</source>
        <translation>Version %1 von %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Next version</source>
        <translation>Nächste Version</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <location filename="../ui/components/StatusBar.qml" line="+25"/>
        <source>Loading model…</source>
        <translation>Modell wird geladen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Last reply: %1 tok/s</source>
        <translation>Letzte Antwort: %1 Tok./s</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Model loading progress</source>
        <translation>Ladefortschritt des Modells</translation>
    </message>
</context>
<context>
    <name>SystemPromptBar</name>
    <message>
        <location filename="../ui/components/SystemPromptBar.qml" line="+41"/>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>(no system prompt)</source>
        <translation>(kein Systemprompt)</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>How the assistant should behave (Enter saves, Shift+Enter for a new line)</source>
        <translation>Wie sich der Assistent verhalten soll (Enter speichert, Umschalt+Enter für eine neue Zeile)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>System prompt</source>
        <translation>Systemprompt</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Preset: %1</source>
        <translation>Voreinstellung: %1</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Preset: custom</source>
        <translation>Voreinstellung: eigene Werte</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Presets and sampling (Ctrl+Shift+S)</source>
        <translation>Voreinstellungen und Sampling (Strg+Umschalt+S)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Keep the system prompt as it was</source>
        <translation>Den Systemprompt unverändert lassen</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Save the system prompt</source>
        <translation>Den Systemprompt speichern</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit the system prompt</source>
        <translation>Den Systemprompt bearbeiten</translation>
    </message>
</context>
<context>
    <name>TextAttachment</name>
    <message>
        <location filename="../app/text_attachment.cpp" line="+89"/>
        <source>%1 is not there any more.</source>
        <translation>%1 ist nicht mehr da.</translation>
    </message>
    <message>
        <location line="-7"/>
        <source>%1 is too large to add to a message (%2; the limit is %3, already more than a model reads at once).</source>
        <translation>%1 ist zu groß für eine Nachricht (%2; höchstens %3, schon mehr, als ein Modell auf einmal liest).</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>%1 is a folder; only text files and documents (PDF, Word, OpenDocument) can be added to a message.</source>
        <translation>%1 ist ein Ordner; einer Nachricht lassen sich nur Textdateien und Dokumente (PDF, Word, OpenDocument) hinzufügen.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is not a text file (in UTF-8), a PDF or a Word or OpenDocument document; only text can be added to a message.</source>
        <translation>%1 ist weder eine Textdatei (in UTF-8) noch ein PDF-, Word- oder OpenDocument-Dokument; einer Nachricht lässt sich nur Text hinzufügen.</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+6"/>
        <source>%1 could not be read: %2</source>
        <translation>%1 konnte nicht gelesen werden: %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is empty.</source>
        <translation>%1 ist leer.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 was not added: with the files before it the message would hold more than %2, already more than a model reads at once.</source>
        <translation>%1 wurde nicht hinzugefügt: mit den Dateien davor hielte die Nachricht mehr als %2, schon mehr, als ein Modell auf einmal liest.</translation>
    </message>
    <message>
        <location filename="../app/attachment_reader.cpp" line="+135"/>
        <source>reading it took longer than a minute</source>
        <translation>das Lesen dauerte länger als eine Minute</translation>
    </message>
    <message>
        <location line="-47"/>
        <source>%1 is an old Word document (.doc) or one protected by a password. Save it as .docx without a password, or copy its text into the message.</source>
        <translation>%1 ist ein altes Word-Dokument (.doc) oder durch ein Passwort geschützt. Speichern Sie es als .docx ohne Passwort, oder kopieren Sie den Text in die Nachricht.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>%1 cannot be read by this build of Falcon Chat: its reader of PDFs and Word documents (falcon-doc-text) is missing. Copy the text into the message instead.</source>
        <translation>%1 lässt sich mit diesem Build von Falcon Chat nicht lesen: sein Leser für PDF- und Word-Dokumente (falcon-doc-text) fehlt. Kopieren Sie den Text stattdessen in die Nachricht.</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>the document reader stopped on it (the file may be damaged)</source>
        <translation>der Dokumentleser brach dabei ab (die Datei ist vielleicht beschädigt)</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+46"/>
        <source>%1 could not be read: %2.</source>
        <translation>%1 ließ sich nicht lesen: %2.</translation>
    </message>
    <message>
        <location line="-35"/>
        <source>%1 could not be read as a PDF: it is damaged, or not a PDF.</source>
        <translation>%1 ließ sich nicht als PDF lesen: die Datei ist beschädigt oder kein PDF.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 could not be read as a Word or OpenDocument text: it is damaged, or another kind of file.</source>
        <translation>%1 ließ sich nicht als Word- oder OpenDocument-Text lesen: die Datei ist beschädigt oder von anderer Art.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is protected by a password. Open it in a PDF viewer and save a copy without one, or copy its text into the message.</source>
        <translation>%1 ist durch ein Passwort geschützt. Öffnen Sie es in einem PDF-Betrachter und speichern Sie eine Kopie ohne Passwort, oder kopieren Sie den Text in die Nachricht.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 holds no text, only pictures of pages (a scanned document?); the model reads text only.</source>
        <translation>%1 enthält keinen Text, nur Bilder von Seiten (ein eingescanntes Dokument?); das Modell liest nur Text.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 holds no text.</source>
        <translation>%1 enthält keinen Text.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 holds too much text to add to a message (more than %2, already more than a model reads at once).</source>
        <translation>%1 enthält zu viel Text für eine Nachricht (mehr als %2, schon mehr, als ein Modell auf einmal liest).</translation>
    </message>
</context>
<context>
    <name>TextContextMenu</name>
    <message>
        <location filename="../ui/components/TextContextMenu.qml" line="+22"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Select all</source>
        <translation>Alles auswählen</translation>
    </message>
</context>
<context>
    <name>TokenCount</name>
    <message numerus="yes">
        <location filename="../ui/components/TokenCount.qml" line="+12"/>
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n Token</numerusform>
            <numerusform>%n Tokens</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TransferBar</name>
    <message>
        <location filename="../ui/components/TransferBar.qml" line="+20"/>
        <source>Exporting conversations… An import waits.</source>
        <translation>Unterhaltungen werden exportiert… Ein Import wartet.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exporting conversations…</source>
        <translation>Unterhaltungen werden exportiert…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reading file %1 of %2…</source>
        <translation>Datei %1 von %2 wird gelesen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reading the file…</source>
        <translation>Die Datei wird gelesen…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Importing conversations: %1 of %2 (file %3 of %4)</source>
        <translation>Unterhaltungen werden importiert: %1 von %2 (Datei %3 von %4)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Importing conversations: %1 of %2</source>
        <translation>Unterhaltungen werden importiert: %1 von %2</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Cancel import</source>
        <translation>Import abbrechen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel the import</source>
        <translation>Den Import abbrechen</translation>
    </message>
</context>
<context>
    <name>UndoBar</name>
    <message>
        <location filename="../ui/components/UndoBar.qml" line="+19"/>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Undo the delete</source>
        <translation>Das Löschen rückgängig machen</translation>
    </message>
</context>
<context>
    <name>WindowWarning</name>
    <message>
        <location filename="../ui/components/WindowWarning.qml" line="+11"/>
        <source>Longer than this chat&apos;s context window of %1 tokens: the model will see only the end of it, so put your question last. A larger window (Sampling) keeps more.</source>
        <translation>Länger als das Kontextfenster dieses Chats von %1 Tokens: Das Modell sieht nur ihr Ende, stellen Sie Ihre Frage also zuletzt. Ein größeres Fenster (Sampling) behält mehr.</translation>
    </message>
</context>
</TS>
