<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ChatController</name>
    <message numerus="yes">
        <location filename="../app/chat_controller_model.cpp" line="+31"/>
        <source>%1 in %n file(s)</source>
        <translation>
            <numerusform>%1 in %n file</numerusform>
            <numerusform>%1 in %n files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+133"/>
        <source>CPU, %n thread(s)</source>
        <translation>
            <numerusform>CPU, %n thread</numerusform>
            <numerusform>CPU, %n threads</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../app/chat_controller_conversations.cpp" line="+273"/>
        <source>Imported %Ln conversation(s), but not: %1</source>
        <translation>
            <numerusform>Imported %Ln conversation, but not: %1</numerusform>
            <numerusform>Imported %Ln conversations, but not: %1</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message numerus="yes">
        <location filename="../ui/components/CodeBlock.qml" line="+103"/>
        <source>Show all (%Ln more line(s))</source>
        <translation>
            <numerusform>Show all (%Ln more line)</numerusform>
            <numerusform>Show all (%Ln more lines)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>FileChooserDialog</name>
    <message numerus="yes">
        <location filename="../ui/dialogs/FileChooserDialog.qml" line="+157"/>
        <source>%n file(s) selected</source>
        <translation>
            <numerusform>%n file selected</numerusform>
            <numerusform>%n files selected</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message numerus="yes">
        <location filename="../ui/Main.qml" line="+295"/>
        <source>Imported %Ln conversation(s)</source>
        <translation>
            <numerusform>Imported %Ln conversation</numerusform>
            <numerusform>Imported %Ln conversations</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Import cancelled after %Ln conversation(s)</source>
        <translation>
            <numerusform>Import cancelled after %Ln conversation</numerusform>
            <numerusform>Import cancelled after %Ln conversations</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReplyStats</name>
    <message numerus="yes">
        <location filename="../ui/components/ReplyStats.qml" line="+35"/>
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TokenCount</name>
    <message numerus="yes">
        <location filename="../ui/components/TokenCount.qml" line="+12"/>
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
</context>
</TS>
