<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ChatPage</name>
    <message>
        <location filename="../ui/pages/ChatPage.qml" line="15"/>
        <source>New conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/pages/ChatPage.qml" line="35"/>
        <source>Ask anything. Everything runs on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../ui/components/Composer.qml" line="33"/>
        <source>Type a message… (Enter sends, Shift+Enter for a new line)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/components/Composer.qml" line="36"/>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/components/Composer.qml" line="52"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/components/Composer.qml" line="52"/>
        <source>Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/components/Composer.qml" line="55"/>
        <source>Stop the reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/components/Composer.qml" line="55"/>
        <source>Send the message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConversationSidebar</name>
    <message>
        <location filename="../ui/components/ConversationSidebar.qml" line="19"/>
        <source>New chat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/components/ConversationSidebar.qml" line="21"/>
        <source>Start a new conversation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/components/ConversationSidebar.qml" line="31"/>
        <source>Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/components/ConversationSidebar.qml" line="40"/>
        <source>No conversations yet.
Start one with New chat.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../ui/Main.qml" line="13"/>
        <source>Falcon Chat</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
